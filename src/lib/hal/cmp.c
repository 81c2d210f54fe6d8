/* cmp.c - placeholder */
#include "config.h"
#include "cmp.h"
