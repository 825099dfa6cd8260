/**
 * Published silicon areas the area model is calibrated on and checked against. Each entry is a
 * preset that follows the chip; `role` says whether the chip set CORE_OVERHEAD ('calibration'),
 * checks it ('validation', goal ±40 %), or is only indicative ('informational': a die bound that
 * includes I/O the model does not cost).
 */
export interface PublishedArea {
  readonly preset: string;
  readonly chip: string;
  readonly technologyNm: number;
  readonly areaMm2: number;
  /** What the published figure measures and where it comes from. */
  readonly note: string;
  readonly role: 'calibration' | 'validation' | 'informational';
}

export const PUBLISHED_AREAS: readonly PublishedArea[] = [
  { preset: 'eyeriss', chip: 'Eyeriss', technologyNm: 65, areaMm2: 12.25, role: 'calibration', note: 'core 3.5 mm × 3.5 mm (Chen et al., JSSC 2017)' },
  { preset: 'diannao', chip: 'DianNao', technologyNm: 65, areaMm2: 3.02, role: 'validation', note: 'layout area (Chen et al., ASPLOS 2014, abstract)' },
  { preset: 'shidiannao', chip: 'ShiDianNao', technologyNm: 65, areaMm2: 4.86, role: 'validation', note: 'layout area (Du et al., ISCA 2015, abstract)' },
  {
    preset: 'simba', chip: 'Simba chiplet', technologyNm: 16, areaMm2: 4.01 / 1.29, role: 'validation',
    note: '4.01 TOPS peak ÷ 1.29 TOPS/mm² (Zimmer et al., VLSI 2019, abstract); the die with its GRS I/O and RISC-V is ≈ 6 mm² (Shao et al., MICRO 2019)',
  },
  { preset: 'tpu-v1', chip: 'TPU v1', technologyNm: 28, areaMm2: 331, role: 'informational', note: 'die upper bound including PCIe, DDR3 and activation units (Jouppi et al., ISCA 2017)' },
];

/** Goals: the calibration chip within ±25 %, validation chips within ±40 %. */
export const AREA_TOLERANCE = { calibration: 0.25, validation: 0.4 } as const;
