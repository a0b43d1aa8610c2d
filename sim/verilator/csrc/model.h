// The lifecycle of a Verilated model behind a C ABI. MODEL(NAME) defines NAME_new, NAME_free and
// NAME_trace for the model V##NAME; the generated shim (build.rs) adds NAME_step, which sets
// every input, settles, reads every output and clocks once (MODEL_HALF low, then high).
#pragma once
#include <cstdint>
#include <cstring>

#include "verilated.h"
#include "verilated_vcd_c.h"

#define MODEL_TOP(NAME, P) (static_cast<NAME##_model*>(P)->top)

// Verilator's hierarchical blocks find their context through the thread's current one
// (Verilated::threadContextp), so every entry point makes its model's context current first:
// with several models in one thread, a block would otherwise register with, or be freed from,
// another model's context.
//
// Half a clock: the clock at LEVEL, settled, dumped. With the inputs set, MODEL_HALF(.., 0)
// settles them with the clock low (rust-hdl routes the clock through combinational logic, so
// inputs must settle before the edge), and outputs read then are what the edge samples;
// MODEL_HALF(.., 1) is the rising edge.
#define MODEL_HALF(NAME, P, LEVEL)                                                             \
    do {                                                                                       \
        NAME##_model* u = static_cast<NAME##_model*>(P);                                       \
        Verilated::threadContextp(&u->ctx);                                                    \
        u->top->clock = LEVEL;                                                                 \
        u->top->eval();                                                                        \
        if (u->vcd) u->vcd->dump(u->time);                                                     \
        u->time++;                                                                             \
    } while (0)

// The model without its trace entry point (MODEL and MODEL_UNTRACED add one).
#define MODEL_BASE(NAME)                                                                       \
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
        Verilated::threadContextp(&u->ctx);                                                    \
        u->top = new V##NAME(&u->ctx);                                                         \
        /* Hierarchical blocks build their sub-models on the first eval: final() needs them. */\
        u->top->eval();                                                                        \
        u->vcd = nullptr;                                                                      \
        u->time = 0;                                                                           \
        return u;                                                                              \
    }                                                                                          \
    void NAME##_free(void* p) {                                                                \
        NAME##_model* u = static_cast<NAME##_model*>(p);                                       \
        Verilated::threadContextp(&u->ctx);                                                    \
        if (u->vcd) {                                                                          \
            u->vcd->close();                                                                   \
            delete u->vcd;                                                                     \
        }                                                                                      \
        u->top->final();                                                                       \
        delete u->top;                                                                         \
        delete u;                                                                              \
    }

// A model built with --trace: NAME_trace dumps a VCD of every later clock to path.
#define MODEL(NAME)                                                                            \
    MODEL_BASE(NAME)                                                                           \
    int NAME##_trace(void* p, const char* path) {                                              \
        NAME##_model* u = static_cast<NAME##_model*>(p);                                       \
        Verilated::threadContextp(&u->ctx);                                                    \
        if (u->vcd) return -1;                                                                 \
        u->vcd = new VerilatedVcdC;                                                            \
        u->top->trace(u->vcd, 99);                                                             \
        u->vcd->open(path);                                                                    \
        return u->vcd->isOpen() ? 0 : -1;                                                      \
    }                                                                                          \
    }

// A model built without --trace (too big to trace cheaply): NAME_trace refuses.
#define MODEL_UNTRACED(NAME)                                                                   \
    MODEL_BASE(NAME)                                                                           \
    int NAME##_trace(void*, const char*) { return -1; }                                        \
    }
