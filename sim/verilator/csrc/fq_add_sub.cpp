#include "Vfq_add_sub.h"
#include "field_unit.h"

FIELD_UNIT(fq_add_sub, t->sub = sub)
