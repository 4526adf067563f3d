//! Instructions by protocol subject; each folder holds one file per
//! instruction plus the account groups its instructions share.

pub mod admin;
pub mod governance;
pub mod keeper;
pub mod lease;
pub mod proof;
pub mod provider;
pub mod staking;
pub mod tokenomics;

pub use admin::*;
pub use governance::*;
pub use keeper::*;
pub use lease::*;
pub use proof::*;
pub use provider::*;
pub use staking::*;
pub use tokenomics::*;
