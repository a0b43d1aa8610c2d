//! Criterion bench of the CPU backend, 2^10..2^16 points, key loaded once.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use msm_host::workload::random_inputs;
use msm_host::{CpuBackend, MsmBackend};

fn cpu(c: &mut Criterion) {
    let mut group = c.benchmark_group("cpu_msm");
    group.sample_size(10);
    for log in 10..=16 {
        let (bases, scalars) = random_inputs(1 << log, log as u64);
        let mut backend = CpuBackend::new();
        backend.load_bases(&bases).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(1 << log), &scalars, |b, s| {
            b.iter(|| backend.msm(s).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, cpu);
criterion_main!(benches);
