/* approx.h */
#ifndef SPU_HAL_APPROX_H
#define SPU_HAL_APPROX_H
#endif
