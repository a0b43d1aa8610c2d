//! Simulated cards come and go, several alive at once in one thread (Verilator's hierarchical
//! blocks register with their context: freeing one must not disturb another).

use msm_spec::card::{Reg, CARD_ID};
use msm_verilator::{SimCard, Timing};

#[test]
fn cards_come_and_go() {
    for _ in 0..2 {
        let mut a = SimCard::new(Timing::default());
        let mut b = SimCard::new(Timing::default());
        assert_eq!(a.read(Reg::Id), CARD_ID);
        assert_eq!(b.read(Reg::Id), CARD_ID);
        drop(b);
        assert_eq!(a.read(Reg::Version), msm_spec::card::VERSION);
    }
    // Never clocked.
    drop(SimCard::new(Timing::default()));
}
