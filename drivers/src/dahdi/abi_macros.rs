//! How the DAHDI ABI is declared: every constant and every struct goes through one of
//! the two macros below, which also record it in a table. The ABI check
//! (`drivers/tests/abi_check.rs`) compiles a C program printing the same items from the
//! real header and compares them all, so an item cannot be declared without being
//! checked.

/// One checked ABI item: a C expression and the value the Rust side uses for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbiItem {
    /// A C expression over `<dahdi/user.h>`, e.g. `DAHDI_SPECIFY`,
    /// `sizeof(struct dahdi_params)` or `offsetof(struct dahdi_params, spanno)`.
    pub c_expr: String,
    /// What Rust has for it, widened to i64 (the C side prints `(long long)(expr)`).
    pub rust_value: i64,
}

/// A `#[repr(C)]` struct mirrored from the header, with its C name and field layout.
pub trait CLayout: Sized {
    /// The C struct tag, e.g. `dahdi_params`.
    const C_NAME: &'static str;
    /// (field name, offset, size) in declaration order; names are the C field names.
    fn fields() -> Vec<(&'static str, usize, usize)>;

    /// The size, every field's offset and every field's size as checkable items.
    fn abi_items() -> Vec<AbiItem> {
        let tag = format!("struct {}", Self::C_NAME);
        let mut items = vec![AbiItem {
            c_expr: format!("sizeof({tag})"),
            rust_value: core::mem::size_of::<Self>() as i64,
        }];
        for (field, offset, size) in Self::fields() {
            items.push(AbiItem {
                c_expr: format!("offsetof({tag}, {field})"),
                rust_value: offset as i64,
            });
            items.push(AbiItem {
                c_expr: format!("sizeof((({tag} *)0)->{field})"),
                rust_value: size as i64,
            });
        }
        items
    }
}

/// Declares a group of C constants (`pub const NAME: TYPE = VALUE;`) and a table
/// `GROUP: &[(&str, i64)]` listing them by their C names for the ABI check.
macro_rules! c_constants {
    (
        $(#[$group_meta:meta])*
        $group:ident: $ty:ty {
            $( $(#[$meta:meta])* $name:ident = $value:expr; )*
        }
    ) => {
        $( $(#[$meta])* pub const $name: $ty = $value; )*
        $(#[$group_meta])*
        pub const $group: &[(&str, i64)] = &[ $( (stringify!($name), $name as i64), )* ];
    };
}

/// Declares a C struct mirror: the caller gives `#[repr(C)]` (or `#[repr(C, packed)]`)
/// and the C tag; field names must be the C field names. Implements [`CLayout`] and a
/// `zeroed()` constructor (every field is an integer or an integer array, so all-zero
/// is a valid value, as C callers `memset` these before an ioctl).
macro_rules! c_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $c_name:literal {
            $( $(#[$field_meta:meta])* pub $field:ident: $field_ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $field_ty, )*
        }

        impl $name {
            /// All fields zero, as C callers `memset` the struct before an ioctl.
            pub fn zeroed() -> Self {
                // SAFETY: every field is a plain integer or integer array; all-zero bytes
                // are a valid value of each.
                unsafe { core::mem::zeroed() }
            }
        }

        impl $crate::dahdi::abi_macros::CLayout for $name {
            const C_NAME: &'static str = $c_name;
            fn fields() -> Vec<(&'static str, usize, usize)> {
                vec![ $( (
                    stringify!($field),
                    core::mem::offset_of!($name, $field),
                    core::mem::size_of::<$field_ty>(),
                ), )* ]
            }
        }
    };
}

pub(crate) use c_constants;
pub(crate) use c_struct;
