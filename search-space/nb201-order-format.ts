/** Format of the generated index table (nb201-order.ts): fixed-width base-36 op codes. */
export const NB201_ORDER_RADIX = 36;
/** 5^6 = 15,625 codes fit in three base-36 digits (36³ = 46,656). */
export const NB201_ORDER_WIDTH = 3;
