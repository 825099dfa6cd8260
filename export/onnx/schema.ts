/**
 * The subset of the ONNX protobuf schema that the exporter writes, declared with protobufjs
 * reflection (no .proto file, no code generation). Message and field numbers follow the public
 * ONNX IR specification, onnx/onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto,
 * IR version 7 — the version that goes with opset 13). Only the fields the exporter emits (plus a
 * few for decoding in tests) are declared; undeclared fields are simply never on the wire.
 */
import protobuf from 'protobufjs';

/** TensorProto.DataType values used here (onnx.proto, enum DataType). */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** AttributeProto.AttributeType values used here (onnx.proto, enum AttributeType). */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/** IR version 7 (2020-05-08) is the one that introduced opset 13 support. */
export const IR_VERSION = 7;

type FieldSpec = readonly [name: string, id: number, type: string, rule?: 'repeated'];

function message(name: string, fields: readonly FieldSpec[]): protobuf.Type {
  const t = new protobuf.Type(name);
  for (const [fname, id, type, rule] of fields) t.add(new protobuf.Field(fname, id, type, rule));
  return t;
}

function buildRoot(): protobuf.Root {
  const ns = new protobuf.Namespace('onnx');
  ns.add(message('OperatorSetIdProto', [['domain', 1, 'string'], ['version', 2, 'int64']]));
  ns.add(message('StringStringEntryProto', [['key', 1, 'string'], ['value', 2, 'string']]));
  ns.add(message('TensorProto', [
    ['dims', 1, 'int64', 'repeated'],
    ['dataType', 2, 'int32'],
    ['floatData', 4, 'float', 'repeated'],
    ['int64Data', 7, 'int64', 'repeated'],
    ['name', 8, 'string'],
    ['rawData', 9, 'bytes'],
    ['docString', 12, 'string'],
  ]));
  ns.add(message('AttributeProto', [
    ['name', 1, 'string'],
    ['f', 2, 'float'],
    ['i', 3, 'int64'],
    ['s', 4, 'bytes'],
    ['t', 5, 'TensorProto'],
    ['floats', 7, 'float', 'repeated'],
    ['ints', 8, 'int64', 'repeated'],
    ['docString', 13, 'string'],
    ['type', 20, 'int32'],
  ]));
  ns.add(message('NodeProto', [
    ['input', 1, 'string', 'repeated'],
    ['output', 2, 'string', 'repeated'],
    ['name', 3, 'string'],
    ['opType', 4, 'string'],
    ['attribute', 5, 'AttributeProto', 'repeated'],
    ['docString', 6, 'string'],
    ['domain', 7, 'string'],
  ]));
  // TensorShapeProto.Dimension: dim_value / dim_param form a oneof in the spec; we set exactly one.
  ns.add(message('Dimension', [['dimValue', 1, 'int64'], ['dimParam', 2, 'string']]));
  ns.add(message('TensorShapeProto', [['dim', 1, 'Dimension', 'repeated']]));
  ns.add(message('TypeProtoTensor', [['elemType', 1, 'int32'], ['shape', 2, 'TensorShapeProto']]));
  ns.add(message('TypeProto', [['tensorType', 1, 'TypeProtoTensor']]));
  ns.add(message('ValueInfoProto', [['name', 1, 'string'], ['type', 2, 'TypeProto'], ['docString', 3, 'string']]));
  ns.add(message('GraphProto', [
    ['node', 1, 'NodeProto', 'repeated'],
    ['name', 2, 'string'],
    ['initializer', 5, 'TensorProto', 'repeated'],
    ['docString', 10, 'string'],
    ['input', 11, 'ValueInfoProto', 'repeated'],
    ['output', 12, 'ValueInfoProto', 'repeated'],
    ['valueInfo', 13, 'ValueInfoProto', 'repeated'],
  ]));
  ns.add(message('ModelProto', [
    ['irVersion', 1, 'int64'],
    ['producerName', 2, 'string'],
    ['producerVersion', 3, 'string'],
    ['domain', 4, 'string'],
    ['modelVersion', 5, 'int64'],
    ['docString', 6, 'string'],
    ['graph', 7, 'GraphProto'],
    ['opsetImport', 8, 'OperatorSetIdProto', 'repeated'],
    ['metadataProps', 14, 'StringStringEntryProto', 'repeated'],
  ]));
  const root = new protobuf.Root();
  root.add(ns);
  root.resolveAll();
  return root;
}

let root: protobuf.Root | undefined;

export function onnxType(name: 'ModelProto' | 'GraphProto' | 'NodeProto' | 'TensorProto'): protobuf.Type {
  root ??= buildRoot();
  return root.lookupType(`onnx.${name}`);
}

// Plain-object shapes of the messages we build (camelCase, as protobufjs maps them).
export interface TensorMsg {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}
export interface AttributeMsg {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}
export interface NodeMsg {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeMsg[];
}
export interface ValueInfoMsg {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: Array<{ dimValue: number } | { dimParam: string }> } } };
}
export interface ModelMsg {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  opsetImport: Array<{ domain: string; version: number }>;
  graph: {
    name: string;
    node: NodeMsg[];
    initializer: TensorMsg[];
    input: ValueInfoMsg[];
    output: ValueInfoMsg[];
  };
  metadataProps?: Array<{ key: string; value: string }>;
}

export function encodeModel(model: ModelMsg): Uint8Array {
  const type = onnxType('ModelProto');
  const problem = type.verify(model);
  if (problem) throw new Error(`internal: ONNX model message does not verify: ${problem}`);
  return type.encode(type.fromObject(model as unknown as Record<string, unknown>)).finish();
}
