//! [`QuerySet`]: WebGPU's `GPUQuerySet`, for occlusion and timestamp
//! queries.

use std::ops::Range;
use std::rc::Rc;
use std::time::Duration;

use bytemuck::Pod;

use crate::bindings::webgpu as raw;
use crate::buffer::check_same_device;
use crate::device::{DeviceShared, same_device};
use crate::{Buffer, BufferDescriptor, BufferUsages, CommandEncoder, Error, Features, Result};

/// Bytes one resolved query takes in a buffer: a `u64`.
pub const QUERY_SIZE: u64 = 8;
/// Destination offsets of [`CommandEncoder::resolve_query_set`] must be
/// multiples of this many bytes.
pub const QUERY_RESOLVE_BUFFER_ALIGNMENT: u64 = 256;
/// The most queries one set may hold.
pub const QUERY_SET_MAX_QUERIES: u32 = 4096;

/// What a query set's queries measure. Corresponds to WebGPU's
/// [`GPUQueryType`](https://www.w3.org/TR/webgpu/#enumdef-gpuquerytype).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum QueryType {
    /// How many samples passed the depth and stencil tests between
    /// [`RenderPass::begin_occlusion_query`](crate::RenderPass::begin_occlusion_query)
    /// and `end_occlusion_query`.
    #[default]
    Occlusion,
    /// When the GPU reached the beginning or end of a pass, in nanoseconds.
    /// Needs [`Features::TIMESTAMP_QUERY`].
    Timestamp,
}

/// Describes a [`QuerySet`]. Corresponds to WebGPU's
/// [`GPUQuerySetDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpuquerysetdescriptor).
#[derive(Debug, Clone, Default)]
pub struct QuerySetDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// What the queries measure.
    pub ty: QueryType,
    /// How many queries; at most [`QUERY_SET_MAX_QUERIES`].
    pub count: u32,
}

pub(crate) struct QuerySetShared {
    pub(crate) raw: raw::GpuQuerySet,
    pub(crate) device: Rc<DeviceShared>,
    pub(crate) ty: QueryType,
    pub(crate) count: u32,
}

impl QuerySetShared {
    pub(crate) fn check_index(&self, operation: &str, index: u32) -> Result<()> {
        if index < self.count {
            Ok(())
        } else {
            Err(Error::Query(format!("{operation}: query {index} is out of range for a set of {}", self.count)))
        }
    }
}

/// A set of queries whose results a [`CommandEncoder`] resolves into a
/// buffer. Corresponds to WebGPU's
/// [`GPUQuerySet`](https://www.w3.org/TR/webgpu/#gpuqueryset).
///
/// *Occlusion* sets count the samples that pass the depth and stencil tests
/// in a render pass ([`RenderPassDescriptor::occlusion_query_set`](crate::RenderPassDescriptor::occlusion_query_set)).
/// *Timestamp* sets record when the GPU begins and ends passes
/// ([`RenderPassDescriptor::timestamp_writes`](crate::RenderPassDescriptor::timestamp_writes),
/// [`ComputePassDescriptor::timestamp_writes`](crate::ComputePassDescriptor::timestamp_writes)),
/// in nanoseconds as WebGPU defines; they need
/// [`Features::TIMESTAMP_QUERY`], without which creating one is an
/// [`Error::UnsupportedFeature`].
///
/// Results come out through
/// [`CommandEncoder::resolve_query_set`], or in one call through
/// [`read`](Self::read) and [`read_durations`](Self::read_durations). The set
/// lives until the last clone is dropped; a cheap handle.
#[derive(Clone)]
pub struct QuerySet {
    pub(crate) shared: Rc<QuerySetShared>,
}

impl core::fmt::Debug for QuerySet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("QuerySet").field("ty", &self.shared.ty).field("count", &self.shared.count).finish()
    }
}

impl QuerySet {
    pub(crate) async fn new(device: &Rc<DeviceShared>, descriptor: &QuerySetDescriptor<'_>) -> Result<Self> {
        const OP: &str = "create_query_set";
        let gpu = device.raw(OP)?;
        if descriptor.ty == QueryType::Timestamp && !device.features.contains(Features::TIMESTAMP_QUERY) {
            return Err(Error::UnsupportedFeature("timestamp-query"));
        }
        if descriptor.count > QUERY_SET_MAX_QUERIES {
            return Err(Error::OverLimit {
                what: "query count",
                value: descriptor.count.into(),
                limit: "QUERY_SET_MAX_QUERIES",
                max: QUERY_SET_MAX_QUERIES.into(),
            });
        }
        let raw_descriptor = raw::GpuQuerySetDescriptor {
            type_: match descriptor.ty {
                QueryType::Occlusion => raw::GpuQueryType::Occlusion,
                QueryType::Timestamp => raw::GpuQueryType::Timestamp,
            },
            count: descriptor.count,
            label: descriptor.label.map(str::to_owned),
        };
        let raw = device
            .capture(|| gpu.create_query_set(&raw_descriptor))
            .await?
            .map_err(|e| Error::Query(format!("{OP}: {}", e.message)))?;
        Ok(Self {
            shared: Rc::new(QuerySetShared { raw, device: device.clone(), ty: descriptor.ty, count: descriptor.count }),
        })
    }

    /// What the queries measure. Answered by the guest.
    pub fn ty(&self) -> QueryType {
        self.shared.ty
    }

    /// How many queries the set holds. Answered by the guest.
    pub fn count(&self) -> u32 {
        self.shared.count
    }

    /// Resolves queries `range` and reads their values back: sample counts
    /// for an occlusion set, nanosecond timestamps for a timestamp set.
    ///
    /// Submits its own work after the work already submitted, so the values
    /// are those the earlier passes wrote. A query that no pass wrote reads
    /// as 0.
    pub async fn read(&self, range: Range<u32>) -> Result<Vec<u64>> {
        const OP: &str = "QuerySet::read";
        let device = &self.shared.device;
        check_range(&self.shared, OP, &range)?;
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let buffer = Buffer::<u64>::new(
            device,
            &BufferDescriptor {
                label: Some("wasi-webgpu query results"),
                len: (range.end - range.start).into(),
                usage: BufferUsages::QUERY_RESOLVE | BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            },
        )?;
        let mut encoder = CommandEncoder::new(device, &Default::default());
        encoder.resolve_query_set(self, range, &buffer, 0)?;
        let commands = encoder.finish().await?;
        crate::queue::submit(device, vec![commands])?;
        buffer.read().await
    }

    /// Reads the timestamps of `range`, taken as (beginning, end) pairs, and
    /// returns the time from each beginning to its end: one duration per
    /// pass whose `beginning_of_pass_write_index` and
    /// `end_of_pass_write_index` were `2i` and `2i + 1` of the range.
    ///
    /// Fails with [`Error::Query`] for an occlusion set or a range of odd
    /// length. An end earlier than its beginning (which a GPU whose clock
    /// wrapped could report) gives a zero duration.
    pub async fn read_durations(&self, range: Range<u32>) -> Result<Vec<Duration>> {
        if self.shared.ty != QueryType::Timestamp {
            return Err(Error::Query("read_durations needs a timestamp query set".into()));
        }
        if !(range.end.saturating_sub(range.start)).is_multiple_of(2) {
            return Err(Error::Query(format!(
                "read_durations: the range {range:?} has an odd number of timestamps; it takes (beginning, end) pairs"
            )));
        }
        let stamps = self.read(range).await?;
        Ok(stamps.chunks_exact(2).map(|pair| Duration::from_nanos(pair[1].saturating_sub(pair[0]))).collect())
    }
}

impl crate::Device {
    /// Creates a set of `descriptor.count` queries. Corresponds to WebGPU's
    /// [`createQuerySet`](https://www.w3.org/TR/webgpu/#dom-gpudevice-createqueryset).
    ///
    /// A timestamp set needs the device to have been requested with
    /// [`Features::TIMESTAMP_QUERY`]; otherwise this is
    /// [`Error::UnsupportedFeature`]`("timestamp-query")`. `async` because
    /// the host reports a failed creation through an error scope.
    pub async fn create_query_set(&self, descriptor: &QuerySetDescriptor<'_>) -> Result<QuerySet> {
        QuerySet::new(&self.shared, descriptor).await
    }
}

fn check_range(set: &QuerySetShared, operation: &str, range: &Range<u32>) -> Result<()> {
    if range.start > range.end || range.end > set.count {
        return Err(Error::Query(format!(
            "{operation}: queries {range:?} are out of range for a set of {}",
            set.count
        )));
    }
    Ok(())
}

/// Where a pass writes timestamps. Corresponds to WebGPU's
/// [`GPURenderPassTimestampWrites`](https://www.w3.org/TR/webgpu/#dictdef-gpurenderpasstimestampwrites)
/// and [`GPUComputePassTimestampWrites`](https://www.w3.org/TR/webgpu/#dictdef-gpucomputepasstimestampwrites).
#[derive(Debug, Clone, Copy)]
pub struct PassTimestampWrites<'a> {
    /// A [`QueryType::Timestamp`] set.
    pub query_set: &'a QuerySet,
    /// The query written when the pass begins, if any.
    pub beginning_of_pass_write_index: Option<u32>,
    /// The query written when the pass ends, if any.
    pub end_of_pass_write_index: Option<u32>,
}

/// [`PassTimestampWrites`] of a render pass, by wgpu's name.
pub type RenderPassTimestampWrites<'a> = PassTimestampWrites<'a>;
/// [`PassTimestampWrites`] of a compute pass, by wgpu's name.
pub type ComputePassTimestampWrites<'a> = PassTimestampWrites<'a>;

impl PassTimestampWrites<'_> {
    /// WebGPU's rules for a pass's timestamp writes, checked before the pass
    /// begins.
    pub(crate) fn check(&self, device: &Rc<DeviceShared>, operation: &'static str) -> Result<()> {
        let set = &self.query_set.shared;
        same_device(&set.device, device, operation)?;
        if set.ty != QueryType::Timestamp {
            return Err(Error::Query(format!("{operation}: timestamp writes need a timestamp query set")));
        }
        let (begin, end) = (self.beginning_of_pass_write_index, self.end_of_pass_write_index);
        if begin.is_none() && end.is_none() {
            return Err(Error::Query(format!(
                "{operation}: timestamp writes name neither a beginning nor an end query"
            )));
        }
        if begin.is_some() && begin == end {
            return Err(Error::Query(format!("{operation}: the beginning and end timestamps use the same query")));
        }
        for index in [begin, end].into_iter().flatten() {
            set.check_index(operation, index)?;
        }
        Ok(())
    }
}

impl<'a> PassTimestampWrites<'a> {
    pub(crate) fn to_raw_render(self) -> raw::GpuRenderPassTimestampWrites<'a> {
        raw::GpuRenderPassTimestampWrites {
            query_set: &self.query_set.shared.raw,
            beginning_of_pass_write_index: self.beginning_of_pass_write_index,
            end_of_pass_write_index: self.end_of_pass_write_index,
        }
    }

    pub(crate) fn to_raw_compute(self) -> raw::GpuComputePassTimestampWrites<'a> {
        raw::GpuComputePassTimestampWrites {
            query_set: &self.query_set.shared.raw,
            beginning_of_pass_write_index: self.beginning_of_pass_write_index,
            end_of_pass_write_index: self.end_of_pass_write_index,
        }
    }
}

impl CommandEncoder {
    /// Writes the results of queries `query_range` of `query_set` into
    /// `destination` at byte `destination_offset`, one `u64` each.
    /// Corresponds to WebGPU's
    /// [`resolveQuerySet`](https://www.w3.org/TR/webgpu/#dom-gpucommandencoder-resolvequeryset).
    ///
    /// The destination needs [`BufferUsages::QUERY_RESOLVE`]; the offset
    /// must be a multiple of [`QUERY_RESOLVE_BUFFER_ALIGNMENT`].
    pub fn resolve_query_set<T: Pod>(
        &mut self,
        query_set: &QuerySet,
        query_range: Range<u32>,
        destination: &Buffer<T>,
        destination_offset: u64,
    ) -> Result<()> {
        const OP: &str = "resolve_query_set";
        let set = &query_set.shared;
        let buffer = &destination.shared;
        same_device(&set.device, &self.device, OP)?;
        check_same_device(buffer, &self.device, OP)?;
        check_range(set, OP, &query_range)?;
        buffer.check_usage(OP, BufferUsages::QUERY_RESOLVE)?;
        crate::buffer::check_aligned(OP, "destination offset", destination_offset, QUERY_RESOLVE_BUFFER_ALIGNMENT)?;
        let count = query_range.end - query_range.start;
        buffer.check_range(OP, destination_offset, u64::from(count) * QUERY_SIZE)?;
        let raw = self.raw(OP)?;
        raw.resolve_query_set(&set.raw, query_range.start, count, buffer.raw(OP)?, destination_offset);
        self.used.add_buffer(buffer);
        Ok(())
    }
}
