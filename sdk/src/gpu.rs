//! GPU model codes and the default model table that migrations install.

use io_compute::{constants::GPU_MODEL_CODE_LEN, state::GpuModel};

/// Encodes a model code such as `H100-SXM` (zero padded). Returns `None` for
/// codes longer than 16 bytes; the program validates the characters.
pub fn model_code(code: &str) -> Option<[u8; GPU_MODEL_CODE_LEN]> {
    let bytes = code.as_bytes();
    if bytes.is_empty() || bytes.len() > GPU_MODEL_CODE_LEN {
        return None;
    }
    let mut out = [0u8; GPU_MODEL_CODE_LEN];
    out[..bytes.len()].copy_from_slice(bytes);
    Some(out)
}

/// Decodes a zero-padded model code for display.
pub fn model_name(code: &[u8; GPU_MODEL_CODE_LEN]) -> String {
    let len = code.iter().position(|b| *b == 0).unwrap_or(code.len());
    String::from_utf8_lossy(&code[..len]).into_owned()
}

/// The launch table: io.net-style reward multipliers (1.0x = 10_000) and
/// vendor reference throughput (dense, hundredths of TFLOP/s). `CPU` is the
/// CPU fallback a worker without a GPU reports: its reference is what the
/// worker's own CPU GEMM reaches on a 2-core machine (about 0.15 TFLOP/s),
/// not a nominal 1.0. All of it is governable (`gpu_model` proposals).
pub fn default_models() -> Vec<GpuModel> {
    [
        ("B200", 180_000, 8_000, 225_000),
        ("H200", 120_000, 6_700, 98_900),
        ("H100-SXM", 100_000, 6_700, 98_900),
        ("H100-PCIE", 80_000, 5_100, 75_600),
        ("A100-80G", 50_000, 1_950, 31_200),
        ("L40S", 30_000, 9_160, 36_200),
        ("RTX5090", 15_000, 10_480, 20_950),
        ("RTX4090", 10_000, 8_260, 16_520),
        ("L4", 8_000, 3_030, 12_100),
        ("A10", 7_000, 3_120, 12_500),
        ("RTX4070", 2_500, 2_920, 5_840),
        ("RTX3090", 5_000, 3_560, 7_100),
        ("CPU", 100, 15, 15),
    ]
    .into_iter()
    .map(|(code, multiplier, fp32, bf16)| GpuModel {
        code: model_code(code).expect("default codes fit"),
        reward_multiplier: multiplier,
        ref_fp32_tflops_x100: fp32,
        ref_bf16_tflops_x100: bf16,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        let code = model_code("H100-SXM").unwrap();
        assert_eq!(model_name(&code), "H100-SXM");
        assert!(model_code("").is_none());
        assert!(model_code("THIS-CODE-IS-TOO-LONG").is_none());
        assert_eq!(default_models().len(), 13);
    }
}
