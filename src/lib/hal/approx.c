/* approx.c - placeholder */
#include "config.h"
#include "approx.h"
