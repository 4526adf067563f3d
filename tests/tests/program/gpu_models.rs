use crate::*;
use io_compute::{
    error::IoComputeError,
    state::{GpuModel, GpuModels},
};

fn model(code: &str, multiplier: u32) -> GpuModel {
    GpuModel {
        code: gpu::model_code(code).unwrap(),
        reward_multiplier: multiplier,
        ref_fp32_tflops_x100: 8_260,
        ref_bf16_tflops_x100: 16_520,
    }
}

#[tokio::test]
async fn authority_sets_and_replaces_models() {
    let mut env = TestEnv::initialized().await;
    let table: GpuModels = env.account(&pda::gpu_models()).await;
    let codes: Vec<String> = table
        .models
        .iter()
        .map(|m| gpu::model_name(&m.code))
        .collect();
    for required in [
        "H100-SXM",
        "H100-PCIE",
        "A100-80G",
        "L40S",
        "RTX4090",
        "RTX3090",
        "CPU",
    ] {
        assert!(
            codes.contains(&required.to_string()),
            "{required} missing from {codes:?}"
        );
    }
    let h100 = table
        .models
        .iter()
        .find(|m| gpu::model_name(&m.code) == "H100-SXM")
        .unwrap();
    assert_eq!(h100.reward_multiplier, 100_000, "H100 = 10x");

    let admin = env.admin.insecure_clone();
    env.ok(
        ix::set_gpu_models(
            admin.pubkey(),
            vec![model("RTX4090", 12_500), model("GB300", 150_000)],
        ),
        &admin,
    )
    .await;
    let after: GpuModels = env.account(&pda::gpu_models()).await;
    assert_eq!(after.models.len(), table.models.len() + 1);
    let rtx = after
        .models
        .iter()
        .find(|m| gpu::model_name(&m.code) == "RTX4090")
        .unwrap();
    assert_eq!(*rtx, model("RTX4090", 12_500));
    assert!(after.models.contains(&model("GB300", 150_000)));
}

#[tokio::test]
async fn bad_models_and_strangers_are_refused() {
    let mut env = TestEnv::initialized().await;
    let admin = env.admin.insecure_clone();
    let stranger = env.wallet().await;
    let watch = [pda::gpu_models()];

    env.rejects(
        ix::set_gpu_models(stranger.pubkey(), vec![model("X1", 10_000)]),
        &stranger,
        &watch,
    )
    .await
    .assert_error(IoComputeError::NotConfigAuthority);

    let mut lowercase = model("X1", 10_000);
    lowercase.code = *b"rtx4090\0\0\0\0\0\0\0\0\0";
    let mut zero_tflops = model("X2", 10_000);
    zero_tflops.ref_bf16_tflops_x100 = 0;
    let cases = vec![
        (vec![lowercase], IoComputeError::InvalidGpuModelCode),
        (vec![model("X3", 0)], IoComputeError::InvalidGpuMultiplier),
        (
            vec![model("X4", u32::MAX)],
            IoComputeError::InvalidGpuMultiplier,
        ),
        (vec![zero_tflops], IoComputeError::InvalidGpuReferenceTflops),
        (
            vec![model("X5", 10_000), model("X5", 20_000)],
            IoComputeError::DuplicateGpuModel,
        ),
        (vec![], IoComputeError::InvalidGpuModelBatch),
        // One good model and one bad: the batch is all or nothing.
        (
            vec![model("GOOD", 10_000), model("BAD", 1)],
            IoComputeError::InvalidGpuMultiplier,
        ),
    ];
    for (models, expected) in cases {
        env.rejects(ix::set_gpu_models(admin.pubkey(), models), &admin, &watch)
            .await
            .assert_error(expected);
    }

    // Fill the table to its 32 entries, then one more is refused.
    let existing = env
        .account::<GpuModels>(&pda::gpu_models())
        .await
        .models
        .len();
    let fill: Vec<GpuModel> = (existing..32)
        .map(|i| model(&format!("M{i}"), 10_000))
        .collect();
    env.ok(ix::set_gpu_models(admin.pubkey(), fill), &admin)
        .await;
    env.rejects(
        ix::set_gpu_models(admin.pubkey(), vec![model("ONE-MORE", 10_000)]),
        &admin,
        &watch,
    )
    .await
    .assert_error(IoComputeError::GpuModelTableFull);
}
