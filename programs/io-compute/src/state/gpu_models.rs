use crate::{constants::*, error::IoComputeError};
use anchor_lang::prelude::*;

/// GPU model code, e.g. `H100-SXM`, zero padded. Codes are what devices,
/// leases and the CLI name models by.
pub type GpuModelCode = [u8; GPU_MODEL_CODE_LEN];

/// The GPU model table [gpu_models]: model code -> reward multiplier and
/// reference throughput used by device challenges.
#[account]
#[derive(InitSpace, Debug)]
pub struct GpuModels {
    #[max_len(MAX_GPU_MODELS)]
    pub models: Vec<GpuModel>,
    pub bump: u8,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct GpuModel {
    pub code: [u8; GPU_MODEL_CODE_LEN],
    /// Reward and stake multiplier, fixed point: 10_000 = 1.0x (io.net: H100 = 10x).
    pub reward_multiplier: u32,
    /// Reference fp32 throughput in hundredths of a TFLOP/s.
    pub ref_fp32_tflops_x100: u32,
    /// Reference bf16 throughput in hundredths of a TFLOP/s.
    pub ref_bf16_tflops_x100: u32,
}

impl GpuModel {
    pub fn validate(&self) -> Result<()> {
        validate_model_code(&self.code)?;
        require!(
            (MIN_GPU_MULTIPLIER..=MAX_GPU_MULTIPLIER).contains(&self.reward_multiplier),
            IoComputeError::InvalidGpuMultiplier
        );
        require!(
            self.ref_fp32_tflops_x100 > 0 && self.ref_bf16_tflops_x100 > 0,
            IoComputeError::InvalidGpuReferenceTflops
        );
        Ok(())
    }
}

/// A code is 1-16 bytes of `A-Z`, `0-9` or `-`, then zero padding only.
pub fn validate_model_code(code: &GpuModelCode) -> Result<()> {
    let len = code.iter().position(|b| *b == 0).unwrap_or(code.len());
    let valid = len > 0
        && code[..len]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-')
        && code[len..].iter().all(|b| *b == 0);
    require!(valid, IoComputeError::InvalidGpuModelCode);
    Ok(())
}

impl GpuModels {
    pub fn find(&self, code: &GpuModelCode) -> Result<&GpuModel> {
        self.models
            .iter()
            .find(|m| &m.code == code)
            .ok_or_else(|| error!(IoComputeError::UnknownGpuModel))
    }

    /// Inserts or replaces each model of `batch`. The whole batch is validated
    /// before anything changes.
    pub fn upsert(&mut self, batch: &[GpuModel]) -> Result<()> {
        require!(
            !batch.is_empty() && batch.len() <= MAX_GPU_MODELS,
            IoComputeError::InvalidGpuModelBatch
        );
        for (i, model) in batch.iter().enumerate() {
            model.validate()?;
            require!(
                !batch[..i].iter().any(|m| m.code == model.code),
                IoComputeError::DuplicateGpuModel
            );
        }
        let new_codes = batch
            .iter()
            .filter(|m| !self.models.iter().any(|e| e.code == m.code))
            .count();
        require!(
            self.models.len() + new_codes <= MAX_GPU_MODELS,
            IoComputeError::GpuModelTableFull
        );
        for model in batch {
            match self.models.iter_mut().find(|e| e.code == model.code) {
                Some(existing) => *existing = *model,
                None => self.models.push(*model),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> GpuModelCode {
        let mut c = [0u8; GPU_MODEL_CODE_LEN];
        c[..s.len()].copy_from_slice(s.as_bytes());
        c
    }

    fn model(s: &str, mult: u32) -> GpuModel {
        GpuModel {
            code: code(s),
            reward_multiplier: mult,
            ref_fp32_tflops_x100: 100,
            ref_bf16_tflops_x100: 200,
        }
    }

    #[test]
    fn codes() {
        assert!(validate_model_code(&code("H100-SXM")).is_ok());
        assert!(validate_model_code(&code("")).is_err());
        assert!(validate_model_code(&code("h100")).is_err());
        let mut gap = code("A");
        gap[2] = b'B';
        assert!(validate_model_code(&gap).is_err());
    }

    #[test]
    fn upsert_replaces_and_bounds() {
        let mut table = GpuModels {
            models: vec![],
            bump: 0,
        };
        table
            .upsert(&[model("A", 10_000), model("B", 20_000)])
            .unwrap();
        table.upsert(&[model("A", 30_000)]).unwrap();
        assert_eq!(table.models.len(), 2);
        assert_eq!(table.find(&code("A")).unwrap().reward_multiplier, 30_000);
        assert!(table.upsert(&[model("C", 1), model("D", 10_000)]).is_err());
        assert_eq!(table.models.len(), 2, "a bad batch changes nothing");
        assert!(table
            .upsert(&[model("E", 10_000), model("E", 10_000)])
            .is_err());
        let full: Vec<_> = (0..30).map(|i| model(&format!("M{i}"), 10_000)).collect();
        table.upsert(&full).unwrap();
        assert!(table.upsert(&[model("X", 10_000)]).is_err());
        table.upsert(&[model("M0", 50_000)]).unwrap();
    }
}
