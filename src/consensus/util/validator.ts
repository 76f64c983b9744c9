import type { ValidatorColumns } from "./state.js";

/** is_active_validator: activation_epoch <= epoch < exit_epoch. */
export function isActiveValidator(validators: ValidatorColumns, index: number, epoch: number): boolean {
  return (validators.activationEpoch[index] as number) <= epoch && epoch < (validators.exitEpoch[index] as number);
}

/** get_active_validator_indices, as a Uint32Array in validator order (two passes: count, then fill). */
export function getActiveValidatorIndices(validators: ValidatorColumns, epoch: number): Uint32Array {
  const { activationEpoch, exitEpoch } = validators;
  const n = activationEpoch.length;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if ((activationEpoch[i] as number) <= epoch && epoch < (exitEpoch[i] as number)) count++;
  }
  const out = new Uint32Array(count);
  for (let i = 0, k = 0; i < n; i++) {
    if ((activationEpoch[i] as number) <= epoch && epoch < (exitEpoch[i] as number)) out[k++] = i;
  }
  return out;
}
