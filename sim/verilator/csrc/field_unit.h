// C shim over a Verilated Fq unit with the ports of hw's field units: clock, valid_in, tag_in,
// a, b (256 bits) -> valid_out, tag_out, result. FIELD_UNIT(name, set_sub) defines
// name_new/free/trace/set/tick/get; wide ports are copied with memcpy.
#pragma once
#include <cstdint>
#include <cstring>

#include "verilated.h"
#include "verilated_vcd_c.h"

#define FIELD_UNIT(NAME, SET_SUB)                                                              \
    namespace {                                                                                \
    struct NAME##_unit {                                                                       \
        VerilatedContext ctx;                                                                  \
        V##NAME* top;                                                                          \
        VerilatedVcdC* vcd;                                                                    \
        uint64_t time;                                                                         \
    };                                                                                         \
    }                                                                                          \
    extern "C" {                                                                               \
    void* NAME##_new() {                                                                       \
        NAME##_unit* u = new NAME##_unit;                                                      \
        u->ctx.traceEverOn(true);                                                              \
        u->top = new V##NAME(&u->ctx);                                                         \
        u->vcd = nullptr;                                                                      \
        u->time = 0;                                                                           \
        return u;                                                                              \
    }                                                                                          \
    void NAME##_free(void* p) {                                                                \
        NAME##_unit* u = static_cast<NAME##_unit*>(p);                                         \
        if (u->vcd) {                                                                          \
            u->vcd->close();                                                                   \
            delete u->vcd;                                                                     \
        }                                                                                      \
        u->top->final();                                                                       \
        delete u->top;                                                                         \
        delete u;                                                                              \
    }                                                                                          \
    int NAME##_trace(void* p, const char* path) {                                              \
        NAME##_unit* u = static_cast<NAME##_unit*>(p);                                         \
        if (u->vcd) return -1;                                                                 \
        u->vcd = new VerilatedVcdC;                                                            \
        u->top->trace(u->vcd, 99);                                                             \
        u->vcd->open(path);                                                                    \
        return u->vcd->isOpen() ? 0 : -1;                                                      \
    }                                                                                          \
    void NAME##_set(void* p, uint8_t valid, uint8_t sub, uint32_t tag, const uint32_t* a,      \
                    const uint32_t* b) {                                                       \
        V##NAME* t = static_cast<NAME##_unit*>(p)->top;                                        \
        t->valid_in = valid;                                                                   \
        SET_SUB;                                                                               \
        t->tag_in = tag;                                                                       \
        std::memcpy(t->a.data(), a, 32);                                                       \
        std::memcpy(t->b.data(), b, 32);                                                       \
    }                                                                                          \
    /* One clock: inputs settle with the clock low, then the rising edge (rust-hdl routes the  \
       clock through combinational logic, so the order matters). */                           \
    void NAME##_tick(void* p) {                                                                \
        NAME##_unit* u = static_cast<NAME##_unit*>(p);                                         \
        u->top->clock = 0;                                                                     \
        u->top->eval();                                                                        \
        if (u->vcd) u->vcd->dump(u->time);                                                     \
        u->time++;                                                                             \
        u->top->clock = 1;                                                                     \
        u->top->eval();                                                                        \
        if (u->vcd) u->vcd->dump(u->time);                                                     \
        u->time++;                                                                             \
    }                                                                                          \
    void NAME##_get(void* p, uint8_t* valid, uint32_t* tag, uint32_t* result) {                \
        V##NAME* t = static_cast<NAME##_unit*>(p)->top;                                        \
        *valid = t->valid_out;                                                                 \
        *tag = t->tag_out;                                                                     \
        std::memcpy(result, t->result.data(), 32);                                             \
    }                                                                                          \
    }
