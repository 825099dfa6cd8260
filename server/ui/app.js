// Hash router: #/ (experiments), #/experiments/ID, #/trials/ID, #/compare/ID,ID…, #/workers. Each view returns a cleanup
// function (closing event streams, disposing charts) that runs before the next view.
import { h } from './dom.js';
import { experimentsView } from './experiments.js';
import { experimentView } from './experiment.js';
import { trialView } from './trial.js';
import { compareView } from './compare.js';
import { workersView } from './workers.js';

const view = document.getElementById('view');
const crumbs = document.getElementById('crumbs');
let cleanup = () => {};

async function route() {
  cleanup();
  cleanup = () => {};
  view.replaceChildren();
  crumbs.replaceChildren();
  const hash = location.hash || '#/';
  const m = /^#\/(experiments|trials)\/(\d+)/.exec(hash);
  const cmp = /^#\/compare\/(\d+(?:,\d+)+)$/.exec(hash);
  const ctx = { view, crumbs, setCleanup: (fn) => (cleanup = fn) };
  try {
    if (cmp) await compareView(ctx, cmp[1].split(',').map(Number));
    else if (m?.[1] === 'experiments') await experimentView(ctx, Number(m[2]));
    else if (m?.[1] === 'trials') await trialView(ctx, Number(m[2]));
    else if (hash === '#/workers') await workersView(ctx);
    else await experimentsView(ctx);
  } catch (e) {
    view.replaceChildren(h('p.error', { role: 'alert' }, `Could not load: ${e.message}`));
  }
  document.body.dataset.ready = hash;
}

window.addEventListener('hashchange', route);
route();
