#include "Vfq_mul.h"
#include "field_unit.h"

// The multiplier has no sub port.
FIELD_UNIT(fq_mul, (void)sub)
