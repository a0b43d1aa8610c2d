// C shim over the Verilated MSM core: bucket accumulation and the segment running sums in
// every lane.
#include "Vmsm_core.h"
#include "model.h"

MODEL(msm_core)

extern "C" {
// point: x then y (2 x 8 words); scalar: 8 words. Settles the outputs (eval) before returning.
void msm_core_set(void* p, uint8_t c, uint8_t start, uint8_t point_valid,
                        const uint32_t* point, const uint32_t* scalar, uint8_t read_enable,
                        uint8_t read_lane, uint32_t read_address, uint8_t reduce, uint8_t m_log2,
                        uint32_t last_chain) {
    Vmsm_core* t = MODEL_TOP(msm_core, p);
    t->c = c;
    t->start = start;
    t->point_valid = point_valid;
    std::memcpy(t->x.data(), point, 32);
    std::memcpy(t->y.data(), point + 8, 32);
    std::memcpy(t->scalar.data(), scalar, 32);
    t->read_enable = read_enable;
    t->read_lane = read_lane;
    t->read_address = read_address;
    t->reduce = reduce;
    t->m_log2 = m_log2;
    t->last_chain = last_chain;
    t->eval();
}

// points: bucket, plain sum, triangle sum, each x, y, z (9 x 8 words).
void msm_core_get(void* p, uint8_t* point_ready, uint8_t* idle, uint8_t* bucket_current,
                        uint32_t* points, uint32_t* conflicts, uint32_t* adds) {
    Vmsm_core* t = MODEL_TOP(msm_core, p);
    *point_ready = t->point_ready;
    *idle = t->idle;
    *bucket_current = t->bucket_current;
    const VlWide<8>* outs[9] = {&t->bucket_x, &t->bucket_y,   &t->bucket_z,
                                &t->plain_x,  &t->plain_y,    &t->plain_z,
                                &t->triangle_x, &t->triangle_y, &t->triangle_z};
    for (int i = 0; i < 9; i++) std::memcpy(points + 8 * i, outs[i]->data(), 32);
    *conflicts = t->conflicts;
    *adds = t->adds;
}
}
