// The lifecycle of a Verilated model behind a C ABI. MODEL(NAME) defines NAME_new, NAME_free,
// NAME_trace and NAME_tick for the model V##NAME; each shim adds NAME_set and NAME_get for its
// own ports (wide ports are copied with memcpy, 32-bit words, little-endian).
#pragma once
#include <cstdint>
#include <cstring>

#include "verilated.h"
#include "verilated_vcd_c.h"

#define MODEL_TOP(NAME, P) (static_cast<NAME##_model*>(P)->top)

#define MODEL(NAME)                                                                            \
    namespace {                                                                                \
    struct NAME##_model {                                                                      \
        VerilatedContext ctx;                                                                  \
        V##NAME* top;                                                                          \
        VerilatedVcdC* vcd;                                                                    \
        uint64_t time;                                                                         \
    };                                                                                         \
    }                                                                                          \
    extern "C" {                                                                               \
    void* NAME##_new() {                                                                       \
        NAME##_model* u = new NAME##_model;                                                    \
        u->ctx.traceEverOn(true);                                                              \
        u->top = new V##NAME(&u->ctx);                                                         \
        u->vcd = nullptr;                                                                      \
        u->time = 0;                                                                           \
        return u;                                                                              \
    }                                                                                          \
    void NAME##_free(void* p) {                                                                \
        NAME##_model* u = static_cast<NAME##_model*>(p);                                       \
        if (u->vcd) {                                                                          \
            u->vcd->close();                                                                   \
            delete u->vcd;                                                                     \
        }                                                                                      \
        u->top->final();                                                                       \
        delete u->top;                                                                         \
        delete u;                                                                              \
    }                                                                                          \
    int NAME##_trace(void* p, const char* path) {                                              \
        NAME##_model* u = static_cast<NAME##_model*>(p);                                       \
        if (u->vcd) return -1;                                                                 \
        /* Hierarchical blocks build their sub-models on the first eval; trace needs them. */ \
        u->top->eval();                                                                        \
        u->vcd = new VerilatedVcdC;                                                            \
        u->top->trace(u->vcd, 99);                                                             \
        u->vcd->open(path);                                                                    \
        return u->vcd->isOpen() ? 0 : -1;                                                      \
    }                                                                                          \
    /* One clock: inputs settle with the clock low, then the rising edge (rust-hdl routes the  \
       clock through combinational logic, so the order matters). */                           \
    void NAME##_tick(void* p) {                                                                \
        NAME##_model* u = static_cast<NAME##_model*>(p);                                       \
        u->top->clock = 0;                                                                     \
        u->top->eval();                                                                        \
        if (u->vcd) u->vcd->dump(u->time);                                                     \
        u->time++;                                                                             \
        u->top->clock = 1;                                                                     \
        u->top->eval();                                                                        \
        if (u->vcd) u->vcd->dump(u->time);                                                     \
        u->time++;                                                                             \
    }                                                                                          \
    }
