// C shim over the Verilated bucket accumulation (slicer + park FIFO + lane + bucket RAM).
#include "Vmsm_accumulate.h"
#include "model.h"

MODEL(msm_accumulate)

extern "C" {
// point: x then y (2 x 8 words); scalar: 8 words.
void msm_accumulate_set(void* p, uint8_t c, uint8_t start, uint8_t point_valid,
                        const uint32_t* point, const uint32_t* scalar, uint8_t read_enable,
                        uint32_t read_address) {
    Vmsm_accumulate* t = MODEL_TOP(msm_accumulate, p);
    t->c = c;
    t->start = start;
    t->point_valid = point_valid;
    std::memcpy(t->x.data(), point, 32);
    std::memcpy(t->y.data(), point + 8, 32);
    std::memcpy(t->scalar.data(), scalar, 32);
    t->read_enable = read_enable;
    t->read_address = read_address;
    t->eval();
}

// bucket: x, y, z (3 x 8 words).
void msm_accumulate_get(void* p, uint8_t* point_ready, uint8_t* idle, uint8_t* bucket_current,
                        uint32_t* bucket, uint32_t* conflicts) {
    Vmsm_accumulate* t = MODEL_TOP(msm_accumulate, p);
    *point_ready = t->point_ready;
    *idle = t->idle;
    *bucket_current = t->bucket_current;
    std::memcpy(bucket, t->bucket_x.data(), 32);
    std::memcpy(bucket + 8, t->bucket_y.data(), 32);
    std::memcpy(bucket + 16, t->bucket_z.data(), 32);
    *conflicts = t->conflicts;
}
}
