// wasi:webgpu@0.3.0-rc.2 over the WebGPU JavaScript API, in the shape jco's
// bindings expect: each WIT resource is a class here (jco checks returned
// handles with `instanceof`, so these classes are the resources), WIT records
// and variants arrive as jco's plain objects, async WIT functions return
// promises, and fallible ones return `{ tag: 'err', val }` with the WIT error
// record instead of throwing, since a thrown JS error is a trap to jco.
//
// It works on any `GPU` object: `navigator.gpu` in a browser, or the `webgpu`
// npm package (Dawn) in Node.js. Call `useGpu(gpu)` before running a guest.

let currentGpu;
let adapterOptions = {};

/**
 * Sets the `GPU` object every `get-gpu` answers with, and request-adapter
 * options merged over the guest's (Dawn's OpenGL backend, the one that works
 * on llvmpipe, only gives compatibility-mode adapters).
 */
export function useGpu(gpu, forcedAdapterOptions = {}) {
  currentGpu = gpu;
  adapterOptions = forcedAdapterOptions;
}

// ---------------------------------------------------------------- conversions

// WIT names that differ from WebGPU's: an identifier cannot start with a digit
// in WIT, and WIT's kebab case splits or joins some words differently.
const ENUM_TO_JS = {
  d1: '1d',
  d2: '2d',
  'd2-array': '2d-array',
  d3: '3d',
  unorm1010102: 'unorm10-10-10-2',
  'texture-compression-bc-sliced3d': 'texture-compression-bc-sliced-3d',
  'texture-compression-astc-sliced3d': 'texture-compression-astc-sliced-3d',
};
const ENUM_TO_WIT = Object.fromEntries(Object.entries(ENUM_TO_JS).map(([w, j]) => [j, w]));
const enumToJs = (s) => ENUM_TO_JS[s] ?? s.replace(/^astc(\d)/, 'astc-$1');
const enumToWit = (s) => ENUM_TO_WIT[s] ?? s.replace(/^astc-(\d)/, 'astc$1');

// WIT flags are records of booleans; WebGPU's are bit masks. Each list is in
// the order of WebGPU's bits.
const FLAGS = {
  buffer: ['mapRead', 'mapWrite', 'copySrc', 'copyDst', 'index', 'vertex', 'uniform', 'storage', 'indirect', 'queryResolve'],
  texture: ['copySrc', 'copyDst', 'textureBinding', 'storageBinding', 'renderAttachment', 'transientAttachment'],
  stage: ['vertex', 'fragment', 'compute'],
  color: ['red', 'green', 'blue', 'alpha'],
  map: ['read', 'write'],
};
// Which flags a record field holds, by its name (and, for `usage`, by its
// fields: buffer and texture usage share the name).
function flagsOf(key, value) {
  if (key === 'visibility') return FLAGS.stage;
  if (key === 'writeMask') return FLAGS.color;
  if (key === 'usage') return 'mapRead' in value || 'uniform' in value || 'storage' in value ? FLAGS.buffer : FLAGS.texture;
  return undefined;
}
function flagsToMask(value, names) {
  if (names === FLAGS.color && value.all) return 0xf;
  return names.reduce((mask, name, bit) => (value[name] ? mask | (1 << bit) : mask), 0);
}
function maskToFlags(mask, names) {
  return Object.fromEntries(names.map((name, bit) => [name, (mask & (1 << bit)) !== 0]));
}

// A jco value (records, variants, flags, bigints, resources) as the WebGPU
// JS API's dictionary; `undefined` members are left out so WebGPU's defaults
// apply, as WIT's `option` means.
function toJs(value, key) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return key === 'label' || key === 'code' || key === 'entryPoint' ? value : enumToJs(value);
  if (typeof value !== 'object') return value;
  if (value instanceof Resource) return value.inner;
  if (value instanceof WitRecord) return value.toJs();
  if (ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((v) => toJs(v, key));
  const flags = flagsOf(key, value);
  if (flags) return flagsToMask(value, flags);
  if ('tag' in value) return variantToJs(value);
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const converted = toJs(v, k);
    if (converted !== undefined) out[k] = converted;
  }
  return out;
}

function variantToJs({ tag, val }) {
  switch (tag) {
    case 'auto':
      return 'auto';
    case 'specific':
      return val.inner;
    default:
      // gpu-binding-resource: a resource or a gpu-buffer-binding record.
      return toJs(val);
  }
}

// The WIT error record for a caught WebGPU exception, whose DOMException or
// JS error name ('OperationError', 'RangeError', ...) is the WIT kind where
// the WIT type has that kind, and the first kind it has otherwise.
function witError(error, kinds) {
  const named = String(error?.name ?? '').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  const tag = kinds.includes(named) ? named : kinds[0];
  return { tag: 'err', val: { kind: { tag }, message: String(error?.message ?? error) } };
}
function attempt(kinds, f) {
  try {
    return f();
  } catch (e) {
    return witError(e, kinds);
  }
}
async function attemptAsync(kinds, f) {
  try {
    return await f();
  } catch (e) {
    return witError(e, kinds);
  }
}

const n = (v) => (v === undefined ? undefined : Number(v));

// ------------------------------------------------------------------ resources

// Every resource is a thin wrapper over its GPU* object (`inner`).
class Resource {
  constructor(inner) {
    this.inner = inner;
  }
}
function labelled(cls) {
  cls.prototype.label = function () {
    return this.inner.label ?? '';
  };
  cls.prototype.setLabel = function (label) {
    this.inner.label = label;
  };
  return cls;
}
function debugGroups(cls) {
  cls.prototype.pushDebugGroup = function (l) {
    this.inner.pushDebugGroup(l);
  };
  cls.prototype.popDebugGroup = function () {
    this.inner.popDebugGroup();
  };
  cls.prototype.insertDebugMarker = function (l) {
    this.inner.insertDebugMarker(l);
  };
  return cls;
}

export class Gpu extends Resource {
  async requestAdapter(options) {
    const jsOptions = { ...toJs(options), ...adapterOptions };
    const adapter = await this.inner.requestAdapter(jsOptions);
    return adapter ? new GpuAdapter(adapter, () => this.inner.requestAdapter(jsOptions)) : undefined;
  }
  getPreferredCanvasFormat() {
    return this.inner.getPreferredCanvasFormat();
  }
  wgslLanguageFeatures() {
    return new WgslLanguageFeatures(this.inner.wgslLanguageFeatures);
  }
}

export function getGpu() {
  if (!currentGpu) throw new Error('wasi:webgpu shim: useGpu(gpu) was not called');
  return new Gpu(currentGpu);
}

export class GpuAdapter extends Resource {
  // WebGPU's adapter gives one device ("consumed" after it), wgpu's and the
  // reference host's any number, and the SDK asks one adapter for several
  // (a second device, other limits or features). `again` requests an
  // adapter like this one for every device after the first.
  constructor(inner, again) {
    super(inner);
    this.again = again;
    this.consumed = false;
  }
  features() {
    return new GpuSupportedFeatures(this.inner.features);
  }
  limits() {
    return new GpuSupportedLimits(this.inner.limits);
  }
  info() {
    return new GpuAdapterInfo(this.inner.info);
  }
  async requestDevice(descriptor) {
    return attemptAsync(['type-error', 'operation-error'], async () => {
      const adapter = this.consumed ? ((await this.again()) ?? this.inner) : this.inner;
      this.consumed = true;
      const device = await adapter.requestDevice(withCoreLimits(adapter, toJs(descriptor) ?? {}));
      // An uncaptured error is only logged by WebGPU; the reference host
      // logs it too (wgpu's default handler), and neither ends the guest.
      device.addEventListener?.('uncapturederror', (e) => console.error(`wasi:webgpu: uncaptured ${e.error.constructor.name}: ${e.error.message}`));
      return new GpuDevice(device);
    });
  }
}

// WebGPU's default limits for core devices. A compatibility-mode device
// (all Dawn gives on OpenGL) defaults to lower ones (textures of 4096 texels
// instead of 8192, 128 invocations a workgroup instead of 256, ...), so a
// guest that asks for the defaults would meet other limits than on the
// reference host; each is raised here to the core default where the
// adapter supports it and the guest asked for no value of its own.
const CORE_DEFAULT_LIMITS = {
  maxTextureDimension1D: 8192,
  maxTextureDimension2D: 8192,
  maxTextureArrayLayers: 256,
  maxSampledTexturesPerShaderStage: 16,
  maxSamplersPerShaderStage: 16,
  maxStorageBuffersPerShaderStage: 8,
  maxStorageBuffersInFragmentStage: 8,
  maxStorageTexturesPerShaderStage: 4,
  maxStorageTexturesInFragmentStage: 4,
  maxDynamicStorageBuffersPerPipelineLayout: 4,
  maxUniformBufferBindingSize: 65536,
  maxStorageBufferBindingSize: 134217728,
  maxVertexAttributes: 16,
  maxInterStageShaderVariables: 16,
  maxColorAttachments: 8,
  maxColorAttachmentBytesPerSample: 32,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupSizeZ: 64,
};
function withCoreLimits(adapter, descriptor) {
  const requiredLimits = { ...descriptor.requiredLimits };
  for (const [name, value] of Object.entries(CORE_DEFAULT_LIMITS)) {
    if (requiredLimits[name] === undefined && adapter.limits[name] >= value) requiredLimits[name] = value;
  }
  return { ...descriptor, requiredLimits };
}

export class GpuAdapterInfo extends Resource {
  vendor() {
    return this.inner.vendor ?? '';
  }
  architecture() {
    return this.inner.architecture ?? '';
  }
  device() {
    return this.inner.device ?? '';
  }
  description() {
    return this.inner.description ?? '';
  }
  subgroupMinSize() {
    return this.inner.subgroupMinSize ?? 4;
  }
  subgroupMaxSize() {
    return this.inner.subgroupMaxSize ?? 128;
  }
  isFallbackAdapter() {
    return Boolean(this.inner.isFallbackAdapter);
  }
}

export class GpuSupportedFeatures extends Resource {
  has(name) {
    return this.inner.has(enumToJs(name));
  }
}

export class WgslLanguageFeatures extends Resource {
  has(name) {
    return Boolean(this.inner?.has(name));
  }
}

export class GpuSupportedLimits extends Resource {}
// WIT splits `maxTextureDimension1D` as `max-texture-dimension1-d`, which jco
// joins back to the WebGPU name; the u64 limits are bigints in WIT.
const U64_LIMITS = new Set(['maxUniformBufferBindingSize', 'maxStorageBufferBindingSize', 'maxBufferSize']);
for (const name of [
  'maxTextureDimension1D', 'maxTextureDimension2D', 'maxTextureDimension3D', 'maxTextureArrayLayers',
  'maxBindGroups', 'maxBindGroupsPlusVertexBuffers', 'maxImmediateSize', 'maxBindingsPerBindGroup',
  'maxDynamicUniformBuffersPerPipelineLayout', 'maxDynamicStorageBuffersPerPipelineLayout',
  'maxSampledTexturesPerShaderStage', 'maxSamplersPerShaderStage', 'maxStorageBuffersPerShaderStage',
  'maxStorageBuffersInVertexStage', 'maxStorageBuffersInFragmentStage', 'maxStorageTexturesPerShaderStage',
  'maxStorageTexturesInVertexStage', 'maxStorageTexturesInFragmentStage', 'maxUniformBuffersPerShaderStage',
  'maxUniformBufferBindingSize', 'maxStorageBufferBindingSize', 'minUniformBufferOffsetAlignment',
  'minStorageBufferOffsetAlignment', 'maxVertexBuffers', 'maxBufferSize', 'maxVertexAttributes',
  'maxVertexBufferArrayStride', 'maxInterStageShaderVariables', 'maxColorAttachments',
  'maxColorAttachmentBytesPerSample', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
]) {
  GpuSupportedLimits.prototype[name] = U64_LIMITS.has(name)
    ? function () {
        return BigInt(this.inner[name] ?? 0);
      }
    : function () {
        // Dawn leaves out limits newer than it (the per-stage storage ones,
        // immediates): 0 is what an adapter without them supports.
        return this.inner[name] ?? 0;
      };
}

export class GpuDevice extends Resource {
  constructor(inner) {
    super(inner);
    this.defaultQueue = new GpuQueue(inner.queue);
  }
  features() {
    return new GpuSupportedFeatures(this.inner.features);
  }
  limits() {
    return new GpuSupportedLimits(this.inner.limits);
  }
  adapterInfo() {
    return new GpuAdapterInfo(this.inner.adapterInfo);
  }
  queue() {
    return this.defaultQueue;
  }
  destroy() {
    this.inner.destroy();
  }
  createBuffer(d) {
    return new GpuBuffer(this.inner.createBuffer(toJs(d)), d.mappedAtCreation ? [0, Number(d.size)] : null);
  }
  createTexture(d) {
    return new GpuTexture(this.inner.createTexture(toJs(d)));
  }
  createSampler(d) {
    return new GpuSampler(this.inner.createSampler(toJs(d)));
  }
  createBindGroupLayout(d) {
    return new GpuBindGroupLayout(this.inner.createBindGroupLayout(toJs(d)));
  }
  createPipelineLayout(d) {
    // WIT's `list<option<borrow<gpu-bind-group-layout>>>`: WebGPU takes null
    // for an empty slot.
    const js = toJs({ ...d, bindGroupLayouts: undefined });
    js.bindGroupLayouts = d.bindGroupLayouts.map((l) => (l ? l.inner : null));
    return new GpuPipelineLayout(this.inner.createPipelineLayout(js));
  }
  createBindGroup(d) {
    return new GpuBindGroup(this.inner.createBindGroup(toJs(d)));
  }
  createShaderModule(d) {
    return new GpuShaderModule(this.inner.createShaderModule(toJs(d)));
  }
  createComputePipeline(d) {
    return new GpuComputePipeline(this.inner.createComputePipeline(toJs(d)));
  }
  createRenderPipeline(d) {
    return new GpuRenderPipeline(this.inner.createRenderPipeline(toJs(d)));
  }
  async createComputePipelineAsync(d) {
    return pipelineAsync(() => this.inner.createComputePipelineAsync(toJs(d)), GpuComputePipeline);
  }
  async createRenderPipelineAsync(d) {
    return pipelineAsync(() => this.inner.createRenderPipelineAsync(toJs(d)), GpuRenderPipeline);
  }
  createCommandEncoder(d) {
    return new GpuCommandEncoder(this.inner.createCommandEncoder(toJs(d)));
  }
  createRenderBundleEncoder(d) {
    return new GpuRenderBundleEncoder(this.inner.createRenderBundleEncoder(toJs(d)));
  }
  createQuerySet(d) {
    return attempt(['type-error'], () => new GpuQuerySet(this.inner.createQuerySet(toJs(d))));
  }
  pushErrorScope(filter) {
    this.inner.pushErrorScope(filter);
  }
  async popErrorScope() {
    return attemptAsync(['operation-error'], async () => {
      const error = await this.inner.popErrorScope();
      return error ? new GpuError(error) : undefined;
    });
  }
}
labelled(GpuDevice);

async function pipelineAsync(create, cls) {
  try {
    return new cls(await create());
  } catch (e) {
    const reason = e?.reason === 'internal' ? 'internal' : 'validation';
    return { tag: 'err', val: { kind: { tag: 'gpu-pipeline-error', val: reason }, message: String(e?.message ?? e) } };
  }
}

export class GpuError extends Resource {
  message() {
    return this.inner.message;
  }
  kind() {
    const name = this.inner.constructor?.name;
    if (name === 'GPUOutOfMemoryError') return { tag: 'out-of-memory-error' };
    if (name === 'GPUInternalError') return { tag: 'internal-error' };
    return { tag: 'validation-error' };
  }
}

export class GpuBuffer extends Resource {
  // `mapped` is the [offset, size] WebGPU mapped, or null: WebGPU hands out
  // each mapped byte once (`getMappedRange` ranges may not overlap), while
  // WIT's copies may read and write a range again, so the whole mapped range
  // is taken once and copied from.
  constructor(inner, mapped) {
    super(inner);
    this.mapped = mapped;
    this.range = null;
  }
  size() {
    return BigInt(this.inner.size);
  }
  usage() {
    return maskToFlags(this.inner.usage, FLAGS.buffer);
  }
  mapState() {
    return this.inner.mapState;
  }
  async mapAsync(mode, offset, size) {
    const result = await attemptAsync(['operation-error', 'range-error', 'abort-error'], async () => {
      const start = n(offset) ?? 0;
      const length = n(size) ?? Math.max(0, this.inner.size - start);
      await this.inner.mapAsync(flagsToMask(mode, FLAGS.map), start, length);
      this.mapped = [start, length];
      this.range = null;
    });
    // jco answers an async import within the guest's first poll when its
    // promise settles before a timer it sets on the call; Dawn's maps often
    // do. The reference host answers a map after the first poll, so that a
    // guest's other tasks see it pending (tests/guests/misuse relies on
    // it): one timer more, set after jco's, keeps that order here.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return result;
  }
  // The mapped bytes `offset..offset+size` as a view into the one range
  // taken from WebGPU, with getMappedRange's checks (alignment, inside the
  // mapped range) done here since WebGPU sees only the first call.
  view(offset, size) {
    const start = n(offset) ?? 0;
    const length = n(size) ?? Math.max(0, this.inner.size - start);
    if (this.inner.mapState !== 'mapped' || !this.mapped) {
      throw new DOMException(`buffer is ${this.inner.mapState}, not mapped`, 'OperationError');
    }
    const [mapStart, mapLength] = this.mapped;
    if (start % 8 !== 0 || length % 4 !== 0 || start < mapStart || start + length > mapStart + mapLength) {
      throw new DOMException(
        `range ${start}+${length} is not 8/4-aligned inside the mapped ${mapStart}+${mapLength}`,
        'OperationError',
      );
    }
    this.range ??= this.inner.getMappedRange(mapStart, mapLength);
    return new Uint8Array(this.range, start - mapStart, length);
  }
  getMappedRangeGetWithCopy(offset, size) {
    return attempt(['operation-error', 'range-error', 'type-error'], () => this.view(offset, size).slice());
  }
  getMappedRangeSetWithCopy(data, offset, size) {
    return attempt(['operation-error', 'range-error', 'type-error'], () => {
      const view = this.view(offset, size ?? BigInt(data.length));
      if (data.length !== view.length) throw new RangeError(`${data.length} bytes for a ${view.length}-byte range`);
      view.set(data);
    });
  }
  unmap() {
    return attempt(['abort-error'], () => {
      this.inner.unmap();
      this.mapped = null;
      this.range = null;
    });
  }
  destroy() {
    this.inner.destroy();
    this.mapped = null;
    this.range = null;
  }
}
labelled(GpuBuffer);

export class GpuTexture extends Resource {
  createView(d) {
    return new GpuTextureView(this.inner.createView(toJs(d)));
  }
  destroy() {
    this.inner.destroy();
  }
  width() {
    return this.inner.width;
  }
  height() {
    return this.inner.height;
  }
  depthOrArrayLayers() {
    return this.inner.depthOrArrayLayers;
  }
  mipLevelCount() {
    return this.inner.mipLevelCount;
  }
  sampleCount() {
    return this.inner.sampleCount;
  }
  dimension() {
    return enumToWit(this.inner.dimension);
  }
  format() {
    return enumToWit(this.inner.format);
  }
  usage() {
    return maskToFlags(this.inner.usage, FLAGS.texture);
  }
  textureBindingViewDimension() {
    const d = this.inner.textureBindingViewDimension;
    return d === undefined ? undefined : enumToWit(d);
  }
}
labelled(GpuTexture);

export class GpuTextureView extends Resource {}
export class GpuSampler extends Resource {}
export class GpuBindGroup extends Resource {}
export class GpuBindGroupLayout extends Resource {}
export class GpuPipelineLayout extends Resource {}
export class GpuCommandBuffer extends Resource {}
export class GpuRenderBundle extends Resource {}
for (const cls of [GpuTextureView, GpuSampler, GpuBindGroup, GpuBindGroupLayout, GpuPipelineLayout, GpuCommandBuffer, GpuRenderBundle]) {
  labelled(cls);
}

export class GpuShaderModule extends Resource {
  async getCompilationInfo() {
    return new GpuCompilationInfo(await this.inner.getCompilationInfo());
  }
}
labelled(GpuShaderModule);

export class GpuCompilationInfo extends Resource {
  messages() {
    return this.inner.messages.map((m) => new GpuCompilationMessage(m));
  }
}

export class GpuCompilationMessage extends Resource {
  message() {
    return this.inner.message;
  }
  type() {
    return this.inner.type;
  }
  lineNum() {
    return BigInt(this.inner.lineNum);
  }
  linePos() {
    return BigInt(this.inner.linePos);
  }
  offset() {
    return BigInt(this.inner.offset);
  }
  length() {
    return BigInt(this.inner.length);
  }
}

class Pipeline extends Resource {
  getBindGroupLayout(index) {
    return new GpuBindGroupLayout(this.inner.getBindGroupLayout(index));
  }
}
export class GpuComputePipeline extends Pipeline {}
export class GpuRenderPipeline extends Pipeline {}
labelled(GpuComputePipeline);
labelled(GpuRenderPipeline);

export class GpuQuerySet extends Resource {
  destroy() {
    this.inner.destroy();
  }
  type() {
    return this.inner.type;
  }
  count() {
    return this.inner.count;
  }
}
labelled(GpuQuerySet);

export class GpuQueue extends Resource {
  submit(buffers) {
    this.inner.submit(buffers.map((b) => b.inner));
  }
  async onSubmittedWorkDone() {
    await this.inner.onSubmittedWorkDone();
  }
  writeBufferWithCopy(buffer, bufferOffset, data, dataOffset, size) {
    return attempt(['operation-error'], () =>
      this.inner.writeBuffer(buffer.inner, Number(bufferOffset), data, n(dataOffset) ?? 0, n(size)),
    );
  }
  writeTextureWithCopy(destination, data, layout, size) {
    this.inner.writeTexture(toJs(destination), data, toJs(layout), toJs(size));
  }
}
labelled(GpuQueue);

export class GpuCommandEncoder extends Resource {
  beginRenderPass(d) {
    return new GpuRenderPassEncoder(this.inner.beginRenderPass(toJs(d)));
  }
  beginComputePass(d) {
    return new GpuComputePassEncoder(this.inner.beginComputePass(toJs(d)));
  }
  copyBufferToBuffer(source, sourceOffset, destination, destinationOffset, size) {
    this.inner.copyBufferToBuffer(source.inner, n(sourceOffset) ?? 0, destination.inner, n(destinationOffset) ?? 0, n(size));
  }
  copyBufferToTexture(source, destination, size) {
    this.inner.copyBufferToTexture(toJs(source), toJs(destination), toJs(size));
  }
  copyTextureToBuffer(source, destination, size) {
    this.inner.copyTextureToBuffer(toJs(source), toJs(destination), toJs(size));
  }
  copyTextureToTexture(source, destination, size) {
    this.inner.copyTextureToTexture(toJs(source), toJs(destination), toJs(size));
  }
  clearBuffer(buffer, offset, size) {
    this.inner.clearBuffer(buffer.inner, n(offset) ?? 0, n(size));
  }
  resolveQuerySet(querySet, first, count, destination, offset) {
    this.inner.resolveQuerySet(querySet.inner, first, count, destination.inner, Number(offset));
  }
  finish(d) {
    return new GpuCommandBuffer(this.inner.finish(toJs(d)));
  }
}
labelled(debugGroups(GpuCommandEncoder));

// What compute passes, render passes and render bundles share: bind groups,
// immediates and (render only) the vertex-input state and draws.
function setBindGroup(index, group, offsets, start, length) {
  return attempt(['range-error'], () => {
    const data = offsets ?? new Uint32Array(0);
    this.inner.setBindGroup(index, group ? group.inner : null, data, n(start) ?? 0, length ?? data.length - (n(start) ?? 0));
  });
}
function setImmediates(rangeOffset, data, dataOffset, dataSize) {
  this.inner.setImmediates(rangeOffset, data, n(dataOffset) ?? 0, n(dataSize));
}
const encoderCommon = { setBindGroup, setImmediates };
const renderCommands = {
  setPipeline(p) {
    this.inner.setPipeline(p.inner);
  },
  setIndexBuffer(buffer, format, offset, size) {
    this.inner.setIndexBuffer(buffer.inner, format, n(offset) ?? 0, n(size));
  },
  setVertexBuffer(slot, buffer, offset, size) {
    this.inner.setVertexBuffer(slot, buffer ? buffer.inner : null, n(offset) ?? 0, n(size));
  },
  draw(vertexCount, instanceCount, firstVertex, firstInstance) {
    this.inner.draw(vertexCount, instanceCount ?? 1, firstVertex ?? 0, firstInstance ?? 0);
  },
  drawIndexed(indexCount, instanceCount, firstIndex, baseVertex, firstInstance) {
    this.inner.drawIndexed(indexCount, instanceCount ?? 1, firstIndex ?? 0, baseVertex ?? 0, firstInstance ?? 0);
  },
  drawIndirect(buffer, offset) {
    this.inner.drawIndirect(buffer.inner, Number(offset));
  },
  drawIndexedIndirect(buffer, offset) {
    this.inner.drawIndexedIndirect(buffer.inner, Number(offset));
  },
};

export class GpuComputePassEncoder extends Resource {
  setPipeline(p) {
    this.inner.setPipeline(p.inner);
  }
  dispatchWorkgroups(x, y, z) {
    this.inner.dispatchWorkgroups(x, y ?? 1, z ?? 1);
  }
  dispatchWorkgroupsIndirect(buffer, offset) {
    this.inner.dispatchWorkgroupsIndirect(buffer.inner, Number(offset));
  }
  end() {
    this.inner.end();
  }
}
Object.assign(GpuComputePassEncoder.prototype, encoderCommon);
labelled(debugGroups(GpuComputePassEncoder));

export class GpuRenderPassEncoder extends Resource {
  setViewport(x, y, w, h, min, max) {
    this.inner.setViewport(x, y, w, h, min, max);
  }
  setScissorRect(x, y, w, h) {
    this.inner.setScissorRect(x, y, w, h);
  }
  setBlendConstant(color) {
    this.inner.setBlendConstant(color);
  }
  setStencilReference(reference) {
    this.inner.setStencilReference(reference);
  }
  beginOcclusionQuery(index) {
    this.inner.beginOcclusionQuery(index);
  }
  endOcclusionQuery() {
    this.inner.endOcclusionQuery();
  }
  executeBundles(bundles) {
    this.inner.executeBundles(bundles.map((b) => b.inner));
  }
  end() {
    this.inner.end();
  }
}
Object.assign(GpuRenderPassEncoder.prototype, encoderCommon, renderCommands);
labelled(debugGroups(GpuRenderPassEncoder));

export class GpuRenderBundleEncoder extends Resource {
  finish(d) {
    return new GpuRenderBundle(this.inner.finish(toJs(d)));
  }
}
Object.assign(GpuRenderBundleEncoder.prototype, encoderCommon, renderCommands);
labelled(debugGroups(GpuRenderBundleEncoder));

// ------------------------------------------------------------ WIT records

// WIT's `record<K, V>` stand-ins are host resources the guest fills.
class WitRecord {
  constructor() {
    this.map = new Map();
  }
  add(key, value) {
    this.map.set(key, value);
  }
  get(key) {
    return this.map.get(key);
  }
  has(key) {
    return this.map.has(key);
  }
  remove(key) {
    this.map.delete(key);
  }
  keys() {
    return [...this.map.keys()];
  }
  values() {
    return [...this.map.values()];
  }
  entries() {
    return [...this.map.entries()];
  }
  toJs() {
    const out = {};
    for (const [k, v] of this.map) if (v !== undefined) out[k] = Number(v);
    return out;
  }
}
export class RecordGpuPipelineConstantValue extends WitRecord {}
export class RecordOptionGpuSize64 extends WitRecord {}
