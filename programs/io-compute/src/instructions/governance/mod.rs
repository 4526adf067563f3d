pub mod cancel_proposal;
pub mod cast_vote;
pub mod create_proposal;
pub mod execute_proposal;
pub mod finalize_proposal;
pub mod hand_over_authority;
pub mod init_governance;
pub mod relinquish_vote;

pub use cancel_proposal::*;
pub use cast_vote::*;
pub use create_proposal::*;
pub use execute_proposal::*;
pub use finalize_proposal::*;
pub use hand_over_authority::*;
pub use init_governance::*;
pub use relinquish_vote::*;
