//! Training and inference on the GPU: the layers and their gradients are
//! `wasi-webgpu-ops` operations (tiled matmuls, transposed for the weight
//! and input gradients, bias add, ReLU and its backward mask, column sums
//! for the bias gradients, softmax for the test set's probabilities); the
//! fused softmax cross-entropy gradient and the momentum update are this
//! crate's WGSL kernels.
//!
//! Everything is prepared once: buffers, operations and bind groups. An
//! epoch is one command buffer: per mini-batch, two copies bring the batch
//! out of the epoch's shuffled data, and one compute pass runs the forward
//! pass, the backward pass and the update.

use wasi_webgpu::Threads;
use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages, Device, Queue};
use wasi_webgpu_ops::{MatmulDesc, Op, Ops, ReduceDesc, Result, RowsDesc};

use crate::data::{CLASSES, FEATURES};
use crate::model::Params;

#[wasi_webgpu::shader(path = "src/cross_entropy.wgsl")]
mod cross_entropy {}

#[wasi_webgpu::shader(path = "src/sgd.wgsl")]
mod sgd {}

/// Bytes of one `f32` or `u32`.
const WORD: u64 = 4;

/// Parameters, and buffers of the same shapes for gradients and momentum.
struct Tensors {
    w1: Buffer<f32>,
    b1: Buffer<f32>,
    w2: Buffer<f32>,
    b2: Buffer<f32>,
}

impl Tensors {
    fn new(device: &Device, params: &Params) -> Result<Self> {
        Ok(Self {
            w1: tensor(device, &params.w1)?,
            b1: tensor(device, &params.b1)?,
            w2: tensor(device, &params.w2)?,
            b2: tensor(device, &params.b2)?,
        })
    }

    fn zeroed(device: &Device, hidden: usize) -> Result<Self> {
        let zeros = |len| tensor(device, &vec![0.0; len]);
        Ok(Self {
            w1: zeros(FEATURES * hidden)?,
            b1: zeros(hidden)?,
            w2: zeros(hidden * CLASSES)?,
            b2: zeros(CLASSES)?,
        })
    }

    fn all(&self) -> [&Buffer<f32>; 4] {
        [&self.w1, &self.b1, &self.w2, &self.b2]
    }
}

/// A storage buffer holding `contents`, which copies and reads may use.
fn tensor<T: bytemuck::Pod>(device: &Device, contents: &[T]) -> Result<Buffer<T>> {
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
    Ok(device.create_buffer_init(&BufferInitDescriptor { label: None, contents, usage })?)
}

/// The forward pass over `rows` images: its activations and operations.
struct Forward {
    /// `x * w1 + b1`, before the ReLU: the backward mask needs it.
    z1: Buffer<f32>,
    /// The ReLU's output.
    hidden: Buffer<f32>,
    logits: Buffer<f32>,
    ops: Vec<Op>,
}

impl Forward {
    async fn new(ops: &Ops, params: &Tensors, images: &Buffer<f32>, rows: u32, hidden: u32) -> Result<Self> {
        let device = ops.device();
        let zeros = |len: u32| tensor(device, &vec![0f32; len as usize]);
        let (a1, z1, h) = (zeros(rows * hidden)?, zeros(rows * hidden)?, zeros(rows * hidden)?);
        let (a2, logits) = (zeros(rows * CLASSES as u32)?, zeros(rows * CLASSES as u32)?);
        let ops = vec![
            ops.matmul(&MatmulDesc::new(rows, hidden, FEATURES as u32), images, &params.w1, &a1).await?,
            ops.bias_add(&a1, &params.b1, &z1).await?,
            ops.relu(&z1, &h).await?,
            ops.matmul(&MatmulDesc::new(rows, CLASSES as u32, hidden), &h, &params.w2, &a2).await?,
            ops.bias_add(&a2, &params.b2, &logits).await?,
        ];
        Ok(Self { z1, hidden: h, logits, ops })
    }
}

/// The network on the GPU, ready to train on mini-batches of a fixed size
/// and to classify a fixed test set.
pub struct Trainer {
    device: Device,
    queue: Queue,
    hidden: usize,
    batch: usize,
    params: Tensors,
    /// The epoch's training images and labels, shuffled on the CPU.
    epoch_images: Buffer<f32>,
    epoch_labels: Buffer<u32>,
    batch_images: Buffer<f32>,
    batch_labels: Buffer<u32>,
    /// The summed loss of the epoch so far.
    loss: Buffer<f32>,
    /// Forward pass of a batch.
    forward: Vec<Op>,
    cross_entropy: (cross_entropy::CrossEntropyGrad, cross_entropy::CrossEntropyGradBound),
    /// Gradients of the weights and biases.
    backward: Vec<Op>,
    sgd: (sgd::SgdMomentum, Vec<sgd::SgdMomentumBound>),
    test: Forward,
    test_probabilities: Buffer<f32>,
    test_softmax: Op,
}

impl Trainer {
    /// Uploads `params` and the test images, and prepares every operation
    /// for `train_rows` training images in batches of `batch`.
    #[allow(clippy::too_many_arguments)]
    pub async fn new(
        device: &Device,
        queue: &Queue,
        params: &Params,
        train_rows: usize,
        batch: usize,
        test_images: &[f32],
        learning_rate: f32,
        momentum: f32,
    ) -> Result<Self> {
        let ops = Ops::new(device);
        let hidden = params.hidden;
        let (rows, h, classes) = (batch as u32, hidden as u32, CLASSES as u32);
        let zeros = |len: usize| tensor(device, &vec![0f32; len]);

        let tensors = Tensors::new(device, params)?;
        let grads = Tensors::zeroed(device, hidden)?;
        let velocity = Tensors::zeroed(device, hidden)?;
        let epoch_images = zeros(train_rows * FEATURES)?;
        let epoch_labels = tensor(device, &vec![0u32; train_rows])?;
        let batch_images = zeros(batch * FEATURES)?;
        let batch_labels = tensor(device, &vec![0u32; batch])?;
        let loss = zeros(1)?;

        let layers = Forward::new(&ops, &tensors, &batch_images, rows, h).await?;
        let d_logits = zeros(batch * CLASSES)?;
        let (d_hidden, d_z1) = (zeros(batch * hidden)?, zeros(batch * hidden)?);

        let shape = device.create_buffer_init(&BufferInitDescriptor {
            label: Some("cross-entropy shape"),
            contents: &[cross_entropy::Shape { rows, classes }],
            usage: BufferUsages::UNIFORM,
        })?;
        let cross_entropy_kernel = cross_entropy::pipeline(device, &Default::default()).await?;
        let cross_entropy_bound = cross_entropy_kernel.bind(
            device,
            &cross_entropy::Bindings {
                shape: shape.as_uniform(),
                logits: layers.logits.as_storage(),
                labels: batch_labels.as_storage(),
                grad: d_logits.as_storage_mut(),
                loss: loss.as_storage_mut(),
            },
        )?;

        // dW2 = h^T dZ2, db2 = column sums of dZ2, dH = dZ2 W2^T (before W2
        // moves), dZ1 = dH where z1 > 0, dW1 = x^T dZ1, db1 = column sums of dZ1.
        let backward = vec![
            ops.matmul(&MatmulDesc::new(h, classes, rows).transpose_a(), &layers.hidden, &d_logits, &grads.w2).await?,
            ops.sum(&ReduceDesc::new(rows, classes, 0), &d_logits, &grads.b2).await?,
            ops.matmul(&MatmulDesc::new(rows, h, classes).transpose_b(), &d_logits, &tensors.w2, &d_hidden).await?,
            ops.relu_backward(&d_hidden, &layers.z1, &d_z1).await?,
            ops.matmul(&MatmulDesc::new(FEATURES as u32, h, rows).transpose_a(), &batch_images, &d_z1, &grads.w1)
                .await?,
            ops.sum(&ReduceDesc::new(rows, h, 0), &d_z1, &grads.b1).await?,
        ];

        let step = device.create_buffer_init(&BufferInitDescriptor {
            label: Some("sgd step"),
            contents: &[sgd::Step { learning_rate, momentum }],
            usage: BufferUsages::UNIFORM,
        })?;
        let sgd_kernel = sgd::pipeline(device, &Default::default()).await?;
        let sgd_bound = tensors
            .all()
            .into_iter()
            .zip(velocity.all())
            .zip(grads.all())
            .map(|((weights, velocity), grad)| {
                sgd_kernel.bind(
                    device,
                    &sgd::Bindings {
                        config: step.as_uniform(),
                        weights: weights.as_storage_mut(),
                        velocity: velocity.as_storage_mut(),
                        grad: grad.as_storage(),
                    },
                )
            })
            .collect::<wasi_webgpu::Result<Vec<_>>>()?;

        let test_rows = (test_images.len() / FEATURES) as u32;
        let test = Forward::new(&ops, &tensors, &tensor(device, test_images)?, test_rows, h).await?;
        let test_probabilities = zeros(test_rows as usize * CLASSES)?;
        let test_softmax = ops.softmax(&RowsDesc::new(test_rows, classes), &test.logits, &test_probabilities).await?;

        Ok(Self {
            device: device.clone(),
            queue: queue.clone(),
            hidden,
            batch,
            params: tensors,
            epoch_images,
            epoch_labels,
            batch_images,
            batch_labels,
            loss,
            forward: layers.ops,
            cross_entropy: (cross_entropy_kernel, cross_entropy_bound),
            backward,
            sgd: (sgd_kernel, sgd_bound),
            test,
            test_probabilities,
            test_softmax,
        })
    }

    /// One pass over `images` and `labels` (already shuffled) in mini-batches,
    /// updating the weights after each; a last partial batch is left out.
    /// Returns the mean training loss of the epoch's batches.
    pub async fn epoch(&self, images: &[f32], labels: &[u32]) -> Result<f32> {
        self.queue.write_buffer(&self.epoch_images, 0, images)?;
        self.queue.write_buffer(&self.epoch_labels, 0, labels)?;
        self.queue.write_buffer(&self.loss, 0, &[0.0])?;
        let batches = labels.len() / self.batch;
        let (image_bytes, label_bytes) = ((self.batch * FEATURES) as u64 * WORD, self.batch as u64 * WORD);

        let mut encoder = self.device.create_command_encoder(&Default::default());
        for b in 0..batches as u64 {
            encoder.copy_buffer_to_buffer(&self.epoch_images, b * image_bytes, &self.batch_images, 0, image_bytes)?;
            encoder.copy_buffer_to_buffer(&self.epoch_labels, b * label_bytes, &self.batch_labels, 0, label_bytes)?;
            let mut pass = encoder.begin_compute_pass(&Default::default());
            for op in &self.forward {
                op.encode(&mut pass)?;
            }
            // One workgroup covers the batch.
            let lanes = cross_entropy::CROSS_ENTROPY_GRAD_WORKGROUP_SIZE[0];
            self.cross_entropy.0.dispatch_bound(&mut pass, &self.cross_entropy.1, Threads::x(lanes))?;
            for op in &self.backward {
                op.encode(&mut pass)?;
            }
            for (bound, tensor) in self.sgd.1.iter().zip(self.params.all()) {
                self.sgd.0.dispatch_bound(&mut pass, bound, Threads::x(tensor.len() as u32))?;
            }
            pass.end();
        }
        self.queue.submit([encoder.finish().await?])?;
        let total = self.loss.read().await?[0];
        Ok(total / (batches * self.batch) as f32)
    }

    /// The logits of the test images and their softmax probabilities,
    /// each `[test rows, CLASSES]`, by the forward pass on the GPU.
    pub async fn test_outputs(&self) -> Result<(Vec<f32>, Vec<f32>)> {
        let mut encoder = self.device.create_command_encoder(&Default::default());
        let mut pass = encoder.begin_compute_pass(&Default::default());
        for op in self.test.ops.iter().chain([&self.test_softmax]) {
            op.encode(&mut pass)?;
        }
        pass.end();
        self.queue.submit([encoder.finish().await?])?;
        Ok((self.test.logits.read().await?, self.test_probabilities.read().await?))
    }

    /// The weights and biases as they are now on the GPU.
    pub async fn params(&self) -> Result<Params> {
        Ok(Params {
            hidden: self.hidden,
            w1: self.params.w1.read().await?,
            b1: self.params.b1.read().await?,
            w2: self.params.w2.read().await?,
            b2: self.params.b2.read().await?,
        })
    }
}
