//! Innomesh core: the registry's domain types and pure logic. No IO, no clock, no async.

pub mod codes;
pub mod entity;
pub mod model;
pub mod reference;
pub mod registration;
pub mod sample;
pub mod schema;
pub mod sharing;
pub mod tabular;
pub mod values;

pub use codes::{CreditCode, CreditCodeError, IdNumber, Phone};
pub use entity::{references_in, EntityKind, FieldError, IndexFields, Record, Reference};
pub use values::{Date, IndustryCode, Labelled, RegionCode};
