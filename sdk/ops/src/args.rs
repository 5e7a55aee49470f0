//! The checks every op makes of its buffer arguments when it is prepared,
//! the same on a GPU and on the CPU device: the ops' device, `STORAGE`
//! usage, the size of what one binding holds, and no buffer both read and
//! written.

use bytemuck::Pod;
use wasi_webgpu::{Buffer, BufferId, BufferUsages};

use crate::{Error, Ops, Result};

/// A buffer argument of an op as its kernels bind it.
#[derive(Clone, Copy)]
pub(crate) struct Arg {
    name: &'static str,
    /// The same for `op(&z, &z)` and `op(&z, &z.clone())`.
    id: BufferId,
    usage: BufferUsages,
    /// The buffer's device (`__private::device_key`).
    device: usize,
    /// The bytes bound at once: the whole buffer, or 0 where the op binds
    /// it in pieces.
    bytes: u64,
    written: bool,
}

impl Arg {
    fn new<T: Pod>(name: &'static str, buffer: &Buffer<T>, written: bool) -> Self {
        let device = wasi_webgpu::__private::buffer_device_key(buffer);
        Self { name, id: buffer.id(), usage: buffer.usage(), device, bytes: buffer.size(), written }
    }

    /// The op binds `bytes` of the buffer rather than all of it (0: in
    /// pieces, no one binding holds it).
    pub(crate) fn binds(self, bytes: u64) -> Self {
        Self { bytes, ..self }
    }
}

/// A buffer the op reads.
pub(crate) fn read<T: Pod>(name: &'static str, buffer: &Buffer<T>) -> Arg {
    Arg::new(name, buffer, false)
}

/// A buffer the op writes (or reads and writes).
pub(crate) fn written<T: Pod>(name: &'static str, buffer: &Buffer<T>) -> Arg {
    Arg::new(name, buffer, true)
}

impl Ops {
    /// Checks `args` as binding them would, so that the error names the
    /// argument and comes when the op is prepared, on either device; an
    /// argument read and written is [`Error::Aliased`], suggesting
    /// `in_place` where the op has such a form.
    pub(crate) fn check_args(&self, op: &'static str, args: &[Arg], in_place: Option<&'static str>) -> Result<()> {
        let max = self.device.limits().max_storage_buffer_binding_size;
        let device = wasi_webgpu::__private::device_key(&self.device);
        for (i, arg) in args.iter().enumerate() {
            if arg.device != device {
                return Err(Error::ForeignBuffer { op, argument: arg.name });
            }
            if !arg.usage.contains(BufferUsages::STORAGE) {
                return Err(Error::Usage { op, argument: arg.name, actual: arg.usage });
            }
            if arg.bytes > max {
                return Err(Error::BindingSize { op, argument: arg.name, bytes: arg.bytes, max });
            }
            // A buffer read twice is fine; written and read, or written
            // twice, is not.
            let aliased = args[..i].iter().find(|other| other.id == arg.id && (other.written || arg.written));
            if let Some(other) = aliased {
                let (input, output) = if arg.written { (other.name, arg.name) } else { (arg.name, other.name) };
                return Err(Error::Aliased { op, input, output, in_place });
            }
        }
        Ok(())
    }
}
