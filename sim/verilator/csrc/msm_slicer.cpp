// C shim over the Verilated scalar slicer: a 256-bit scalar stream in, a group of signed
// digits (one per lane) out each clock.
#include "Vmsm_slicer.h"
#include "model.h"

// rust-hdl names lane i's ports name$i, which Verilator spells name__024i.
static_assert(MSM_LANES >= 1 && MSM_LANES <= 2, "the shim lists lanes 0 and 1");

MODEL(msm_slicer)

extern "C" {
void msm_slicer_set(void* p, uint8_t c, uint8_t scalar_valid, const uint32_t* scalar,
                    uint8_t group_ready) {
    Vmsm_slicer* t = MODEL_TOP(msm_slicer, p);
    t->c = c;
    t->scalar_valid = scalar_valid;
    std::memcpy(t->scalar.data(), scalar, 32);
    t->group_ready = group_ready;
}

// Settles the combinational outputs for the inputs just set (before the clock edge).
void msm_slicer_eval(void* p) { MODEL_TOP(msm_slicer, p)->eval(); }

// present, magnitude, negative: one entry per lane.
void msm_slicer_get(void* p, uint8_t* scalar_ready, uint8_t* group_valid, uint8_t* group,
                    uint8_t* last, uint8_t* present, uint32_t* magnitude, uint8_t* negative) {
    Vmsm_slicer* t = MODEL_TOP(msm_slicer, p);
    *scalar_ready = t->scalar_ready;
    *group_valid = t->group_valid;
    *group = t->group;
    *last = t->last;
    present[0] = t->present__0240;
    magnitude[0] = t->magnitude__0240;
    negative[0] = t->negative__0240;
#if MSM_LANES > 1
    present[1] = t->present__0241;
    magnitude[1] = t->magnitude__0241;
    negative[1] = t->negative__0241;
#endif
}
}
