//! The vfio-user loop without QEMU: `card-server` in a child process, the driver's `VfioUser`
//! transport here. The same card backend as in process: MSMs equal arkworks', bad descriptors
//! and DMA to unmapped IOVAs fail with their codes and the next MSM is right, a server killed
//! mid-MSM gives a typed error (not a hang), and a new server works.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::{One, UniformRand, Zero};
use msm_driver::vfio::{OpenError, VfioUser};
use msm_driver::{Card, DmaBuffer, DriverError, TransportError};
use msm_host::workload::random_inputs;
use msm_host::{CardBackend, MsmBackend, MsmError};
use msm_spec::card::{CardError, Descriptor, Op};
use rand::Rng;

const KEY: usize = 64;

/// A card-server child, killed on drop.
struct Server {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("card.sock");
        let child = Command::new(env!("CARGO_BIN_EXE_card-server"))
            .arg("--socket")
            .arg(&socket)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !socket.exists() {
            assert!(start.elapsed() < Duration::from_secs(30), "no socket");
            std::thread::sleep(Duration::from_millis(10));
        }
        Server {
            child,
            socket,
            _dir: dir,
        }
    }

    fn backend(&self) -> CardBackend<VfioUser> {
        let card = Card::open(VfioUser::connect(&self.socket).unwrap()).unwrap();
        CardBackend::new(card, None).unwrap()
    }

    /// Waits for the server to exit by itself.
    fn exit_status(&mut self) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "server did not exit"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn want(bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
    G1Projective::msm(&bases[..scalars.len()], scalars).unwrap()
}

fn keyed(server: &Server, what: &str) -> (CardBackend<VfioUser>, Vec<G1Affine>, Vec<Fr>) {
    let (bases, scalars) = random_inputs(KEY, msm_sim::seed::seed(what));
    let mut b = server.backend();
    b.load_bases(&bases).unwrap();
    (b, bases, scalars)
}

#[test]
fn msms_over_vfio_user_equal_arkworks() {
    let server = Server::start();
    let mut rng = msm_sim::seed::rng("vfio-user msms");
    let (mut b, bases, scalars) = keyed(&server, "vfio-user key");
    let p = bases[3];
    let r_1 = -Fr::one();
    for n in [1, 2, 7, 33, KEY] {
        let s: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        assert_eq!(b.msm(&s).unwrap(), want(&bases, &s), "n = {n}");
    }
    assert_eq!(b.msm(&vec![Fr::zero(); 9]).unwrap(), G1Projective::zero());
    assert_eq!(b.msm(&vec![r_1; 17]).unwrap(), want(&bases, &vec![r_1; 17]));
    // Two MSMs queued back to back equal two alone.
    let (x, y) = (&scalars[..20], &scalars[20..]);
    let pair = b.msm_many(&[x, y]).unwrap();
    assert_eq!(pair[0].point, want(&bases, x));
    assert_eq!(pair[1].point, b.msm(y).unwrap());
    // A second key (repeated bases, P and -P) replaces the first.
    let mut key2 = vec![p; 6];
    key2.extend([p, -p, bases[5], -bases[5]]);
    b.load_bases(&key2).unwrap();
    let s: Vec<Fr> = (0..key2.len()).map(|_| Fr::rand(&mut rng)).collect();
    assert_eq!(b.msm(&s).unwrap(), want(&key2, &s));
}

#[test]
fn faults_over_vfio_user_have_their_codes_and_the_card_recovers() {
    let server = Server::start();
    let (mut b, bases, scalars) = keyed(&server, "vfio-user faults");
    let next_is_correct = |b: &mut CardBackend<VfioUser>| {
        assert_eq!(b.msm(&scalars[..9]).unwrap(), want(&bases, &scalars[..9]));
    };
    let s = b.card().alloc(32 * KEY).unwrap();
    let r = b.card().alloc(1 << 20).unwrap();
    let msm = Descriptor {
        op: Op::Msm as u32,
        c: 4,
        count: 8,
        base: 0,
        src: s.iova(),
        dst: r.iova(),
        dst_len: r.len() as u32,
    };
    let gone = b.card().alloc(4096).unwrap();
    let freed = gone.iova();
    drop(gone);
    let cases = [
        (Descriptor { op: 9, ..msm }, CardError::BadOp),
        (
            Descriptor {
                src: s.iova() + 32,
                ..msm
            },
            CardError::Misaligned,
        ),
        // Never mapped, and mapped then unmapped: the server's IOMMU view refuses both.
        (
            Descriptor {
                src: 0x40_0000_0000,
                ..msm
            },
            CardError::DmaRead,
        ),
        (
            Descriptor {
                dst: 0x40_0000_0000,
                ..msm
            },
            CardError::DmaWrite,
        ),
        (Descriptor { src: freed, ..msm }, CardError::DmaRead),
    ];
    for (d, code) in cases {
        let t = b.card().submit(&d).unwrap();
        match b.card().wait(t) {
            Err(DriverError::Card { error, .. }) => assert_eq!(error, code, "{d:?}"),
            other => panic!("{d:?}: {other:?}"),
        }
        next_is_correct(&mut b);
    }
}

#[test]
fn a_server_killed_mid_msm_is_a_typed_error_and_a_new_one_works() {
    let mut server = Server::start();
    let (mut b, bases, _) = keyed(&server, "vfio-user killed");
    let mut rng = msm_sim::seed::rng("vfio-user killed scalars");
    let s: Vec<Fr> = (0..KEY).map(|_| Fr::rand(&mut rng)).collect();
    let buf = b.card().alloc(32 * KEY).unwrap();
    let res = b.card().alloc(1 << 20).unwrap();
    let t = b.card().submit_msm(8, 0, KEY as u32, &buf, &res).unwrap();
    server.child.kill().unwrap();
    let start = Instant::now();
    let err = b.card().wait(t).unwrap_err();
    assert!(
        matches!(err, DriverError::Transport(TransportError::Gone(_))),
        "{err:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // Through the backend too.
    assert!(matches!(b.msm(&s), Err(MsmError::CardGone(_))));
    drop((buf, res, b));
    let _ = server.exit_status();

    let server = Server::start();
    let mut b = server.backend();
    b.load_bases(&bases).unwrap();
    assert_eq!(b.msm(&s).unwrap(), want(&bases, &s));
    let n = rng.gen_range(2..KEY);
    assert_eq!(b.msm(&s[..n]).unwrap(), want(&bases, &s[..n]));
}

#[test]
fn the_server_exits_when_its_client_goes_and_on_sigterm() {
    let mut server = Server::start();
    drop(server.backend());
    assert!(server.exit_status().success());

    let mut server = Server::start();
    let _b = server.backend();
    let kill = Command::new("kill")
        .arg("-TERM")
        .arg(server.child.id().to_string())
        .status()
        .unwrap();
    assert!(kill.success());
    assert!(server.exit_status().success());
    assert!(!server.socket.exists(), "the socket is removed");
}

#[test]
fn connecting_where_no_server_listens_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = VfioUser::connect(dir.path().join("none.sock"))
        .err()
        .unwrap();
    assert!(matches!(err, OpenError::Connect { .. }), "{err}");
}
