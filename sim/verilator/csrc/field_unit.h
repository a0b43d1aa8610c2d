// C shim over a Verilated Fq unit with the ports of hw's field units: clock, valid_in, tag_in,
// a, b (256 bits) -> valid_out, tag_out, result. FIELD_UNIT(name, set_sub) adds name_set and
// name_get to the model's lifecycle (model.h).
#pragma once
#include "model.h"

#define FIELD_UNIT(NAME, SET_SUB)                                                              \
    MODEL(NAME)                                                                                \
    extern "C" {                                                                               \
    void NAME##_set(void* p, uint8_t valid, uint8_t sub, uint32_t tag, const uint32_t* a,      \
                    const uint32_t* b) {                                                       \
        V##NAME* t = MODEL_TOP(NAME, p);                                                       \
        t->valid_in = valid;                                                                   \
        SET_SUB;                                                                               \
        t->tag_in = tag;                                                                       \
        std::memcpy(t->a.data(), a, 32);                                                       \
        std::memcpy(t->b.data(), b, 32);                                                       \
    }                                                                                          \
    void NAME##_get(void* p, uint8_t* valid, uint32_t* tag, uint32_t* result) {                \
        V##NAME* t = MODEL_TOP(NAME, p);                                                       \
        *valid = t->valid_out;                                                                 \
        *tag = t->tag_out;                                                                     \
        std::memcpy(result, t->result.data(), 32);                                             \
    }                                                                                          \
    }
