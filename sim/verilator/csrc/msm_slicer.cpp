// C shim over the Verilated scalar slicer: a 256-bit scalar stream in, signed digits out.
#include "Vmsm_slicer.h"
#include "model.h"

MODEL(msm_slicer)

extern "C" {
void msm_slicer_set(void* p, uint8_t c, uint8_t scalar_valid, const uint32_t* scalar,
                    uint8_t digit_ready) {
    Vmsm_slicer* t = MODEL_TOP(msm_slicer, p);
    t->c = c;
    t->scalar_valid = scalar_valid;
    std::memcpy(t->scalar.data(), scalar, 32);
    t->digit_ready = digit_ready;
}

// Settles the combinational outputs for the inputs just set (before the clock edge).
void msm_slicer_eval(void* p) { MODEL_TOP(msm_slicer, p)->eval(); }

void msm_slicer_get(void* p, uint8_t* scalar_ready, uint8_t* digit_valid, uint8_t* window,
                    uint32_t* magnitude, uint8_t* negative, uint8_t* last) {
    Vmsm_slicer* t = MODEL_TOP(msm_slicer, p);
    *scalar_ready = t->scalar_ready;
    *digit_valid = t->digit_valid;
    *window = t->window;
    *magnitude = t->magnitude;
    *negative = t->negative;
    *last = t->last;
}
}
