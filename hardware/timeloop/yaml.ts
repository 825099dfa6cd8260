/**
 * YAML parsing for the hardware description files we read (Timeloop arch / problem / mapping,
 * Accelergy ERT / ART summaries): a syntax error becomes a HardwareError naming the file and the
 * line, instead of escaping as an internal error.
 */
import { parse, type ParseOptions, type SchemaOptions } from 'yaml';
import { HardwareError } from '../../core/errors.ts';

export function parseHardwareYaml(text: string, file: string, options?: ParseOptions & SchemaOptions): unknown {
  try {
    return parse(text, options);
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    throw new HardwareError(`${file}: not valid YAML: ${first}`, { file });
  }
}
