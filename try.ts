import { processEpochRewards } from "./src/consensus/rewards/processEpochRewards.js";
const n = 1_000_000;
const s = { currentEpoch: 300000, finalizedEpoch: 299998, effectiveBalance: new Float64Array(n).fill(32e9), balances: new Float64Array(n).fill(32.1e9), slashed: new Uint8Array(n), activationEpoch: new Float64Array(n), exitEpoch: new Float64Array(n).fill(Infinity), withdrawableEpoch: new Float64Array(n).fill(Infinity), previousEpochParticipation: new Uint8Array(n).fill(7), inactivityScores: new Float64Array(n) };
const out = [];
for (let r = 0; r < 12; r++) { const t = performance.now(); processEpochRewards(s); out.push((performance.now() - t).toFixed(0)); }
console.log(out.join(" "));
