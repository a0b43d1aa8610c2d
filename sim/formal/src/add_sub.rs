//! `fq_add_sub`: for every a, b below p and either operation, the result `latency` clocks later
//! is a + b mod p or a - b mod p, with the valid bit and tag that came in.

use msm_hw::config::Config;
use msm_hw::field::limbs_to_biguint;
use msm_hw::verilog::units;
use msm_spec::limbs::P;

use crate::harness::Harness;
use crate::sby::{Proof, Verdict};

/// The carry out of a limb's x = a + b' (+ carry in) in every stage: with the equality term
/// dropped, a limb of b' all ones with a carry in (b with a zero limb, for sub) loses its carry,
/// which random operands hit with probability 2^-64 a limb.
const CARRY: &str = "cx$d = (x_l < a_l) | ((x_l == a_l) & cx_in);";
const BROKEN_CARRY: &str = "cx$d = (x_l < a_l);";

/// The proof for `cfg`'s add/sub unit and, when `broken`, the same against the unit with the
/// carry bug above.
pub fn proofs(cfg: &Config) -> Result<Vec<Proof>, String> {
    let unit = units(cfg)
        .into_iter()
        .find(|u| u.name == "fq_add_sub")
        .ok_or("msm-hw has no fq_add_sub")?;
    let harness = Harness {
        dut: unit.name.to_owned(),
        ports: unit.ports.clone(),
        latency: unit.latency,
        decls: format!(
            "localparam [256:0] P = 257'h{:x};\n\
             wire [256:0] s = {{1'b0, a_0}} + {{1'b0, b_0}};\n\
             wire [256:0] d = {{1'b0, a_0}} - {{1'b0, b_0}};\n\
             wire [256:0] want = sub_0 ? (a_0 >= b_0 ? d : d + P) : (s >= P ? s - P : s);\n",
            limbs_to_biguint(&P)
        ),
        assume: vec!["a_0 < P && b_0 < P".into()],
        want: vec![
            ("result".into(), "want[255:0]".into()),
            ("valid_out".into(), "valid_in_0".into()),
            ("tag_out".into(), "tag_in_0".into()),
        ],
    };
    let proof = |name: String, what: String, verilog: String, expect| Proof {
        name,
        what,
        files: vec![
            ("fq_add_sub.v".into(), verilog),
            ("proof.v".into(), harness.verilog()),
        ],
        defines: vec![],
        depth: harness.depth(),
        expect,
    };
    let stages = unit.verilog.matches(CARRY).count();
    if stages == 0 {
        return Err("fq_add_sub: its carry expression changed; update add_sub::CARRY".into());
    }
    Ok(vec![
        proof(
            format!("fq_add_sub.{}", cfg.name),
            format!(
                "a +- b mod p for all a, b < p, {} clocks ({}-bit limbs)",
                unit.latency, cfg.carry_bits
            ),
            unit.verilog.clone(),
            Verdict::Pass,
        ),
        proof(
            format!("fq_add_sub.{}.broken", cfg.name),
            format!(
                "the same with a limb's carry out wrong when x = a and carry in ({stages} stages)"
            ),
            unit.verilog.replace(CARRY, BROKEN_CARRY),
            Verdict::Fail,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_broken_variant_differs_in_every_stage_only() {
        for cfg in msm_hw::config::ALL {
            let proofs = proofs(&cfg).unwrap();
            let [good, broken] = proofs.as_slice() else {
                panic!("two proofs")
            };
            assert_eq!((good.expect, broken.expect), (Verdict::Pass, Verdict::Fail));
            let (g, b) = (&good.files[0].1, &broken.files[0].1);
            assert_eq!(g.matches(CARRY).count(), 256 / cfg.carry_bits as usize);
            assert_eq!(b.matches(CARRY).count(), 0);
            assert_eq!(good.files[1], broken.files[1], "one harness");
            assert!(good.files[1].1.contains("assert (result == want[255:0]);"));
            assert_eq!(good.depth, 256 / cfg.carry_bits as usize + 2);
        }
    }
}
