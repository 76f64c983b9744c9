import { createWorld, generateInstance } from "./bench/packInstances.js";

const world = createWorld(1_000_000, 1);
for (let s = 1; s <= 3; s++) {
  const t = performance.now();
  generateInstance(world, "electra", s);
  console.log(performance.now() - t);
}
