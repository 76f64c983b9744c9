import { createWorld, generateInstances, NETWORK } from "./bench/packInstances.js";
import { packExact } from "./src/consensus/attestations/packExact.js";
const world = createWorld(1_000_000, 1);
const g = generateInstances(world, 2, NETWORK.stressed);
const t0 = performance.now();
for (let r = 0; r < 6; r++) { console.log(packExact(g.phase0).ms.toFixed(0)); }
console.log("loop ms", performance.now() - t0);
