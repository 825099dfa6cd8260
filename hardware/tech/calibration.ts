/**
 * Storage arrays and MACs are a fraction of a real accelerator core: PE control, the NoC (Eyeriss's
 * multicast buses and ID matching), run-length codecs, configuration, clock tree and placement
 * white space take the rest. We model them as one overhead factor on the component area,
 * calibrated on the Eyeriss chip (Chen et al., JSSC 2017: 65 nm, core 3.5 × 3.5 = 12.25 mm²): our
 * components of the `eyeriss` preset are 3.74 mm², so core = components × (1 + 2.27). Other chips
 * check it (published-chips.ts, `nas hw validate`).
 */
export const CORE_OVERHEAD = 2.27;
