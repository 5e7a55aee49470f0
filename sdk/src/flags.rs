//! A small bit-set type for WebGPU's flag sets (`GPUBufferUsage`, `GPUShaderStage`,
//! features). Hand-written so the public types do not expose a third-party
//! `bitflags` version.

/// Declares a `u32` flag set with named constants, set operators, a
/// `Debug` that lists the names, e.g. `BufferUsages(STORAGE | COPY_SRC)`, and
/// a `Display` of the names alone (`STORAGE | COPY_SRC`, `none` when empty)
/// for error messages, which say in words whether one or all are meant.
macro_rules! flags {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* const $flag:ident = $bit:expr; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(u32);

        impl $name {
            $( $(#[$fmeta])* pub const $flag: Self = Self(1 << $bit); )*
            const NAMES: &'static [(&'static str, Self)] = &[$((stringify!($flag), Self::$flag)),*];

            /// The empty set.
            pub const fn empty() -> Self {
                Self(0)
            }
            /// Every flag this type knows.
            pub const fn all() -> Self {
                Self(0 $(| (1 << $bit))*)
            }
            /// Whether no flag is set.
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }
            /// Whether every flag of `other` is set in `self`.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }
            /// Whether `self` and `other` share any flag.
            pub const fn intersects(self, other: Self) -> bool {
                self.0 & other.0 != 0
            }
            /// The raw bits.
            pub const fn bits(self) -> u32 {
                self.0
            }
            /// The flags in `self`, one at a time, in declaration order.
            pub fn iter(self) -> impl Iterator<Item = (&'static str, Self)> {
                Self::NAMES.iter().copied().filter(move |(_, f)| self.contains(*f))
            }
        }

        impl core::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, rhs: Self) -> Self {
                Self(self.0 | rhs.0)
            }
        }
        impl core::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, rhs: Self) {
                self.0 |= rhs.0;
            }
        }
        impl core::ops::BitAnd for $name {
            type Output = Self;
            fn bitand(self, rhs: Self) -> Self {
                Self(self.0 & rhs.0)
            }
        }
        impl core::ops::Sub for $name {
            type Output = Self;
            /// The flags of `self` that are not in `rhs`.
            fn sub(self, rhs: Self) -> Self {
                Self(self.0 & !rhs.0)
            }
        }
        impl $name {
            fn write_names(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                let mut names = self.iter().map(|(n, _)| n);
                if let Some(first) = names.next() {
                    f.write_str(first)?;
                    for name in names {
                        write!(f, " | {name}")?;
                    }
                }
                Ok(())
            }
        }
        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{}(", stringify!($name))?;
                self.write_names(f)?;
                f.write_str(")")
            }
        }
        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                if self.is_empty() {
                    return f.write_str("none");
                }
                self.write_names(f)
            }
        }
    };
}

pub(crate) use flags;

#[cfg(test)]
mod tests {
    flags! {
        /// Test flags.
        pub struct Demo {
            /// A.
            const A = 0;
            /// B.
            const B = 1;
            /// C.
            const C = 2;
        }
    }

    #[test]
    fn set_operations() {
        let ab = Demo::A | Demo::B;
        assert!(ab.contains(Demo::A) && !ab.contains(Demo::C));
        assert!(ab.intersects(Demo::B | Demo::C));
        assert_eq!(ab - Demo::A, Demo::B);
        assert_eq!(Demo::all().bits(), 0b111);
        assert!(Demo::empty().is_empty());
        assert_eq!(format!("{ab:?}"), "Demo(A | B)");
        assert_eq!(format!("{:?}", Demo::empty()), "Demo()");
        assert_eq!(format!("{ab}"), "A | B");
        assert_eq!(format!("{}", Demo::empty()), "none");
    }
}
