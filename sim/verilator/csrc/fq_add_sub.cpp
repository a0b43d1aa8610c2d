// C shim over the Verilated fq_add_sub: plain functions, wide ports copied with memcpy.
#include <cstdint>
#include <cstring>

#include "Vfq_add_sub.h"
#include "verilated.h"
#include "verilated_vcd_c.h"

namespace {
struct Unit {
    VerilatedContext ctx;
    Vfq_add_sub* top;
    VerilatedVcdC* vcd;
    uint64_t time;
};
}  // namespace

extern "C" {

void* fq_add_sub_new() {
    Unit* u = new Unit;
    u->ctx.traceEverOn(true);
    u->top = new Vfq_add_sub(&u->ctx);
    u->vcd = nullptr;
    u->time = 0;
    return u;
}

void fq_add_sub_free(void* p) {
    Unit* u = static_cast<Unit*>(p);
    if (u->vcd) {
        u->vcd->close();
        delete u->vcd;
    }
    u->top->final();
    delete u->top;
    delete u;
}

int fq_add_sub_trace(void* p, const char* path) {
    Unit* u = static_cast<Unit*>(p);
    if (u->vcd) return -1;
    u->vcd = new VerilatedVcdC;
    u->top->trace(u->vcd, 99);
    u->vcd->open(path);
    return u->vcd->isOpen() ? 0 : -1;
}

void fq_add_sub_set(void* p, uint8_t valid, uint8_t sub, uint32_t tag, const uint32_t* a,
                    const uint32_t* b) {
    Vfq_add_sub* t = static_cast<Unit*>(p)->top;
    t->valid_in = valid;
    t->sub = sub;
    t->tag_in = tag;
    std::memcpy(t->a.data(), a, 32);
    std::memcpy(t->b.data(), b, 32);
}

// One clock: inputs settle with the clock low, then the rising edge (rust-hdl routes the clock
// through combinational logic, so the order matters).
void fq_add_sub_tick(void* p) {
    Unit* u = static_cast<Unit*>(p);
    u->top->clock = 0;
    u->top->eval();
    if (u->vcd) u->vcd->dump(u->time);
    u->time++;
    u->top->clock = 1;
    u->top->eval();
    if (u->vcd) u->vcd->dump(u->time);
    u->time++;
}

void fq_add_sub_get(void* p, uint8_t* valid, uint32_t* tag, uint32_t* result) {
    Vfq_add_sub* t = static_cast<Unit*>(p)->top;
    *valid = t->valid_out;
    *tag = t->tag_out;
    std::memcpy(result, t->result.data(), 32);
}
}
