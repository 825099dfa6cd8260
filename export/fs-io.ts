/**
 * tfjs IOHandlers over node:fs for a bundle directory (tfjs-node's file:// handler is not a
 * dependency). The layout is the standard TF.js one — model.json with a weightsManifest and one
 * weights.bin — so tfjs-node's `tf.loadLayersModel('file://…/model.json')` and the TF.js converter
 * tools read it too.
 */
import { tf } from '../runtime/tf.ts';
import { ConfigError } from '../core/errors.ts';
import { readNoFollow, writeNoFollow } from './safe-dir.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new ConfigError('model', 'binary topology', 'only LayersModel JSON topologies can be saved');
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_core}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeNoFollow(dir, WEIGHTS_BIN, weights);
      await writeNoFollow(dir, MODEL_JSON, JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights.buffer }) };
    },
  };
}

export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse((await readNoFollow(dir, MODEL_JSON)).toString('utf8')) as tf.io.ModelJSON;
      } catch (e) {
        if (e instanceof ConfigError) throw e;
        throw new ConfigError('file', `${dir}/${MODEL_JSON}`, `cannot be read as a TF.js model (${e instanceof Error ? e.message : String(e)})`);
      }
      if (json === null || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest))
        throw new ConfigError('file', `${dir}/${MODEL_JSON}`, 'is not a TF.js layers model (modelTopology or weightsManifest missing)');
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          // Each path is a file name inside the bundle; readNoFollow rejects separators and "..".
          for (const p of group.paths) {
            const b = await readNoFollow(dir, p);
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
