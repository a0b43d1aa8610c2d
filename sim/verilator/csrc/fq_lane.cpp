// C shim over the Verilated adder lane: (x1:y1:z1) + (x2:±y2:z2) -> (x3:y3:z3), each
// coordinate 8 x 32-bit words, the six inputs and three outputs contiguous.
#include "Vfq_lane.h"
#include "model.h"

MODEL(fq_lane)

extern "C" {
void fq_lane_set(void* p, uint8_t valid, uint8_t negate, uint32_t tag, const uint32_t* in) {
    Vfq_lane* t = MODEL_TOP(fq_lane, p);
    t->valid_in = valid;
    t->negate = negate;
    t->tag_in = tag;
    std::memcpy(t->x1.data(), in, 32);
    std::memcpy(t->y1.data(), in + 8, 32);
    std::memcpy(t->z1.data(), in + 16, 32);
    std::memcpy(t->x2.data(), in + 24, 32);
    std::memcpy(t->y2.data(), in + 32, 32);
    std::memcpy(t->z2.data(), in + 40, 32);
}

void fq_lane_get(void* p, uint8_t* valid, uint32_t* tag, uint32_t* out) {
    Vfq_lane* t = MODEL_TOP(fq_lane, p);
    *valid = t->valid_out;
    *tag = t->tag_out;
    std::memcpy(out, t->x3.data(), 32);
    std::memcpy(out + 8, t->y3.data(), 32);
    std::memcpy(out + 16, t->z3.data(), 32);
}
}
