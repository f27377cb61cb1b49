"""The ask/tell study: a spec, a strategy and the record of every trial, kept in a storage.

    study = hyperengine.create_study(space, direction="minimize", seed=0)            # in memory
    study = hyperengine.create_study(space, storage="sqlite:///runs/s.db", study_name="mnist",
                                     load_if_exists=True)                            # shared by many workers
    trial = study.ask()                   # trial.params: the instantiated spec
    study.tell(trial, objective(trial.params))
    study.optimize(objective, n_trials=50)

The storage holds the truth; the study mirrors it, reading only what changed since its last read (at each ask),
and feeds every new COMPLETE/PRUNED trial of any worker to its strategy once. Values are turned into "larger is
better" before they reach the strategy, so every strategy maximizes.
"""

from __future__ import annotations

import copy
import logging
import math
import numbers
import os
import pickle
import socket
import time
import traceback
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from hypercore import _core
from hyperengine.bayesian.portfolio import BayesianPortfolioStrategy
from hyperengine.bayesian.random_strategy import RandomStrategy
from hyperengine.bayesian.sampler import DefaultSampler
from hyperengine.bayesian.strategy import BaseStrategy, BayesianStrategy
from hyperengine.curve.base import CurvePredictor
from hyperengine.curve.cross_run import CrossRunCurvePredictor
from hyperengine.persistence import CorruptStateError
from hyperengine.spec.parsed import ParsedSpec
from hyperengine.storage import DEFAULT_BUSY_TIMEOUT, BaseStorage, StorageLike, get_storage
from hyperengine.storage.errors import DuplicateStudyError, ProposalConflictError, StaleTrialError, UnknownStudyError
from hyperengine.storage.frozen import FrozenTrial, StudyRecord
from hyperengine.storage.json_file import JsonFileStorage
from hyperengine.study.heartbeat import Heartbeat
from hyperengine.study.progress import ProgressBar
from hyperengine.study.report_buffer import ReportBuffer
from hyperengine.study.signature import takes_trial
from hyperengine.study.space_record import difference, fingerprint, pickled, same_params
from hyperengine.study.trial import Trial, TrialPruned, TrialState

log = logging.getLogger("hyperengine")

DIRECTIONS = ("maximize", "minimize")
STRATEGIES = ("bayesian", "portfolio", "random")
DEFAULT_STUDY_NAME = "default"
DEFAULT_HEARTBEAT_GRACE = 60.0
DEFAULT_REPORT_INTERVAL = 1.0  # seconds: reports closer together than this share one write (a shared storage)
PROPOSAL_GAP = 1e-4  # the core keeps proposals this far (max-norm) from observed and pending points
MAX_PROPOSAL_CONFLICTS = 3  # proposals made again by the model at most this often per ask (then nudged at random)
Objective = Callable[..., Any]


class Study:
    """Trials of one search space, proposed by a strategy. See create_study for the parameters."""

    def __init__(self, space: Any = None, direction: str | None = None, strategy: str | BaseStrategy = "bayesian",
                 seed: int | None = None, curve_predictor: CurvePredictor | None = None,
                 storage: StorageLike = None, study_name: str | None = None, load_if_exists: bool | None = None,
                 heartbeat_grace: float | None = None, retry_failed: int = 0,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT, report_interval: float | None = None,
                 **strategy_params: Any) -> None:
        if direction is not None and direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'maximize' or 'minimize', got {direction!r}")
        _check_seed(seed)
        if study_name is not None and (not isinstance(study_name, str) or not study_name):
            raise ValueError(f"study_name must be a non-empty string, got {study_name!r}")
        if isinstance(retry_failed, bool) or not isinstance(retry_failed, int) or retry_failed < 0:
            raise ValueError(f"retry_failed must be a non-negative integer, got {retry_failed!r}")
        if heartbeat_grace is not None and not (math.isfinite(heartbeat_grace) and heartbeat_grace > 0):
            raise ValueError(f"heartbeat_grace must be a positive number of seconds, got {heartbeat_grace!r}")
        if report_interval is not None and (isinstance(report_interval, bool) or not isinstance(
                report_interval, numbers.Real) or not (math.isfinite(report_interval) and report_interval >= 0)):
            raise ValueError(f"report_interval must be a non-negative number of seconds, got {report_interval!r}")
        self._storage = get_storage(storage, busy_timeout)
        try:
            self._setup(space, direction, strategy, seed, curve_predictor, study_name, load_if_exists,
                        heartbeat_grace, retry_failed, report_interval, strategy_params)
        except BaseException:
            if self._storage is not storage:  # opened here: release it (a JSON file's lock, a connection)
                self._storage.close()
            raise

    def _setup(self, space: Any, direction: str | None, strategy: str | BaseStrategy, seed: int | None,
               curve_predictor: CurvePredictor | None, study_name: str | None, load_if_exists: bool | None,
               heartbeat_grace: float | None, retry_failed: int, report_interval: float | None,
               strategy_params: dict[str, Any]) -> None:
        self._worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._nudges = np.random.default_rng(zlib.crc32(self._worker.encode()))  # contended asks (see ask)
        self._record, created = self._open(space, direction, study_name or DEFAULT_STUDY_NAME, load_if_exists)
        self._direction = self._record.direction
        self._sign = 1.0 if self._direction == "maximize" else -1.0
        self._dimensions = self._parsed.dimensions()
        self._strategy = self._make_strategy(strategy, self._worker_seed(seed, created), strategy_params)
        self._curve_predictor = curve_predictor
        self._grace = heartbeat_grace if heartbeat_grace is not None else (
            DEFAULT_HEARTBEAT_GRACE if self._storage.shared else None)
        self._retry_failed = retry_failed
        self._mirror: dict[int, FrozenTrial] = {}  # number -> the latest snapshot read or written
        self._version = 0  # the storage version the mirror is at
        self._known: set[int] = set()  # versions after it of this study's own writes (their results absorbed)
        self._stale_checked = -math.inf  # time.monotonic() of the last look for stale trials
        self._fed: set[int] = set()  # numbers given to the strategy
        self._best: int | None = None  # number of the best complete trial
        self._running: set[int] = set()  # numbers of every worker's RUNNING trials (the pending points)
        self._top = 0  # one more than the largest number in the mirror
        self._handles: dict[int, Trial] = {}  # this process's RUNNING trials
        self._reports = ReportBuffer(self._storage, self._record.study_id, report_interval if report_interval
                                     is not None else DEFAULT_REPORT_INTERVAL if self._storage.shared else 0.0)
        self._heartbeat = (Heartbeat(self._storage, self._record.study_id, self._grace / 4, self._running_numbers,
                                     self._reports.flush) if self._grace is not None else None)
        self._sync()
        if isinstance(self._storage, JsonFileStorage):
            self._check_saved_params()
        if self._mirror:
            log.info("Resumed %d trials of study %r from %s", len(self._mirror), self._record.name, self._storage.url)

    # -- construction ---------------------------------------------------------------------------------------
    def _open(self, space: Any, direction: str | None, name: str, load_if_exists: bool | None
              ) -> tuple[StudyRecord, bool]:
        """The stored study (created, or loaded and checked against space and direction) and whether it is new."""
        if load_if_exists is None:  # a JSON file resumes (the 0.1 behaviour); a database name must be asked for
            load_if_exists = isinstance(self._storage, JsonFileStorage)
        try:
            record = self._storage.load_study(name)
        except UnknownStudyError:
            if space is None:
                raise ValueError(f"no study named {name!r} in {self._storage.url}, and no space to create it "
                                 "with") from None
            self._parsed = space if isinstance(space, ParsedSpec) else ParsedSpec(space)
            if self._parsed.size() == 0:
                raise ValueError(f"space: a spec with at least one search dimension (spec.uniform, spec.choice, "
                                 f"...) is needed, got {space!r}") from None
            try:
                return self._storage.create_study(name, direction or "maximize",
                                                  fingerprint(self._parsed.dimensions()),
                                                  pickled(self._parsed.spec)), True
            except DuplicateStudyError:  # another worker created it since load_study: load it as if it existed
                if not load_if_exists:
                    raise
                record = self._storage.load_study(name)
        if not load_if_exists:
            raise DuplicateStudyError(f"a study named {name!r} exists in {self._storage.url}: pass "
                                      "load_if_exists=True to resume it, or another study_name")
        self._parsed = self._stored_space(record, space)
        if direction is not None and direction != record.direction:
            raise ValueError(f"{self._storage.url}: study {name!r} was saved with direction {record.direction!r}, "
                             f"this study is {direction!r}")
        return record, False

    def _stored_space(self, record: StudyRecord, space: Any) -> ParsedSpec:
        """The given space checked against the stored fingerprint, or the stored one when none is given."""
        if space is None:
            if record.space is None:
                raise ValueError(f"study {record.name!r} in {self._storage.url} was stored without its spec (it "
                                 "could not be pickled: lambdas without cloudpickle, pip install "
                                 "'hyperengine[storage]'): pass the space to load it")
            try:
                space = pickle.loads(record.space)
                # a damaged pickle may load as objects that are no spec (a renamed attribute, say): as damaged
                parsed = space if isinstance(space, ParsedSpec) else ParsedSpec(space)
            except ModuleNotFoundError as error:
                raise ValueError(f"study {record.name!r} in {self._storage.url} holds its spec pickled by cloudpickle "
                                 f"({error}): pip install 'hyperengine[storage]', or pass the space") from error
            except Exception as error:  # an unpicklable payload is a damaged store, whatever pickle raised
                raise CorruptStateError(f"{self._storage.url}: the stored spec of study {record.name!r} cannot be "
                                        f"unpickled as a spec ({type(error).__name__}: {error})") from error
        else:
            parsed = space if isinstance(space, ParsedSpec) else ParsedSpec(space)
        differs = difference(record.dimensions, fingerprint(parsed.dimensions()))
        if differs is not None:
            raise ValueError(f"{self._storage.url}: study {record.name!r} was saved for another spec ({differs})")
        return parsed

    def _check_saved_params(self) -> None:
        """A hand-edited JSON file: params that are not the spec at the saved point are a damaged record."""
        for number, trial in self._mirror.items():
            if not same_params(trial.params, self._parsed.instantiate(trial.point)):
                raise CorruptStateError(f"{self._storage.url}: trial record {number} has params {trial.params!r} "
                                        f"that contradict its point {trial.point.tolist()}")

    def _worker_seed(self, seed: int | None, created: bool) -> int | None:
        """The strategy's seed: `seed` for the worker that created the study; for the others of a shared storage
        mixed with the worker's id (a fresh one when seed is None: the burn-in design of seed None is fixed), so
        workers do not propose the same burn-in points."""
        if created or not self._storage.shared or isinstance(seed, bool) or not isinstance(seed, int | None):
            return seed
        return ((seed or 0) + zlib.crc32(self._worker.encode())) % 2**32

    def _make_strategy(self, strategy: str | BaseStrategy, seed: int | None,
                       params: dict[str, Any]) -> BaseStrategy:
        if isinstance(strategy, BaseStrategy):
            if params:
                raise ValueError(f"strategy parameters {sorted(params)} given with a strategy instance")
            if strategy.dim != self._parsed.size():
                raise ValueError(f"the strategy has {strategy.dim} dimensions, the spec has {self._parsed.size()}")
            return strategy
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES} or a BaseStrategy, got {strategy!r}")
        sampler = DefaultSampler(seed=seed)
        sampler.add_uniform(self._parsed.size())
        common: dict[str, Any] = {
            "dimensions": self._dimensions, "encode": self._encode, "seed": seed,
            "names": [dim.name for dim in self._dimensions]}
        if strategy == "random":  # no model: O(1) per trial
            return RandomStrategy(sampler, names=common["names"], **params)
        if strategy == "portfolio":
            return BayesianPortfolioStrategy(sampler, **common, **params)
        return BayesianStrategy(sampler, **common, **params)

    def _encode(self, point: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The GP input of a point: inactive coordinates of a conditional space fixed at 0.5."""
        active = self._parsed.active(point)
        if active.all():
            return point
        encoded = point.copy()
        encoded[~active] = 0.5
        return encoded

    # -- the mirror of the storage --------------------------------------------------------------------------
    def _sync(self) -> None:
        """Read what changed in the storage since the last read, and absorb it."""
        changes = self._storage.trials_since(self._record.study_id, self._version, self._known)
        self._feed_all([self._absorb(trial) for trial in changes.trials])  # one factorization for a resume
        self._version = max(self._version, changes.version)
        self._known = {version for version in self._known if version > self._version}

    def _wrote(self, version: int | None) -> None:
        """Remember the version of a write whose result this study absorbed: the next _sync need not read it."""
        if version is not None:
            self._known.add(version)

    def _absorb(self, trial: FrozenTrial) -> FrozenTrial:
        """Take a trial's latest snapshot: update the mirror and the live handle; the snapshot (params filled in)
        for the caller to feed (_feed_all feeds each trial once)."""
        if trial.params is None:  # stored without params (not JSON data): they are the spec at the point
            trial = trial.replace(params=self._parsed.instantiate(trial.point))
        handle = self._handles.get(trial.number)
        if handle is not None and trial.state is TrialState.RUNNING:  # with its reports not written yet
            waiting = self._reports.pending(trial.number)
            if waiting:
                trial = trial.with_intermediates(waiting)
        self._mirror[trial.number] = trial
        self._top = max(self._top, trial.number + 1)
        if trial.state is TrialState.RUNNING:
            self._running.add(trial.number)
        else:
            self._running.discard(trial.number)
        if handle is not None:
            handle._snapshot = trial
            if trial.state.is_finished():
                del self._handles[trial.number]
        if trial.state in (TrialState.COMPLETE, TrialState.PRUNED) and trial.number not in self._fed:
            if trial.state is TrialState.COMPLETE and trial.value is not None:
                best = self._mirror.get(self._best) if self._best is not None else None
                if best is None or self._sign * trial.value > self._sign * float(best.value):  # type: ignore[arg-type]
                    self._best = trial.number
        return trial

    def _running_numbers(self) -> list[int]:
        return [number for number, handle in list(self._handles.items()) if handle.state is TrialState.RUNNING]

    # -- properties -----------------------------------------------------------------------------------------
    @property
    def study_name(self) -> str:
        return self._record.name

    @property
    def storage(self) -> BaseStorage:
        return self._storage

    @property
    def worker(self) -> str:
        """This process's worker id (host:pid:random), recorded on the trials it asks for."""
        return self._worker

    @property
    def direction(self) -> str:
        return self._direction

    @property
    def parsed_spec(self) -> ParsedSpec:
        return self._parsed

    @property
    def strategy(self) -> BaseStrategy:
        return self._strategy

    @property
    def curve_predictor(self) -> CurvePredictor | None:
        return self._curve_predictor

    @property
    def trials(self) -> list[FrozenTrial]:
        """Every trial of every worker, in number order: snapshots (changing one changes nothing)."""
        self._sync()
        return [self._mirror[number] for number in sorted(self._mirror)]

    def get_trials(self, states: Iterable[TrialState | str] | None = None) -> list[FrozenTrial]:
        """The trials in `states` (every trial when None), in number order, as snapshots."""
        if states is None:
            return self.trials
        wanted = {TrialState(state) for state in ([states] if isinstance(states, str) else states)}
        return [t for t in self.trials if t.state in wanted]

    @property
    def best_trial(self) -> FrozenTrial:
        """The complete trial with the best value (a snapshot)."""
        self._sync()
        if self._best is None:
            raise ValueError("no trial is complete yet")
        return self._mirror[self._best]

    @property
    def best_value(self) -> float:
        return float(self.best_trial.value)  # type: ignore[arg-type]

    @property
    def best_params(self) -> Any:
        return self.best_trial.params

    def predict(self, params_list: Sequence[Any]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The GP's (mean, std) of the objective at each configuration of params_list, in the units and
        direction the values were told in (see hyperengine/study/prediction.py)."""
        from hyperengine.study.prediction import predict_params

        return predict_params(self, params_list)

    def trials_dataframe(self) -> Any:
        """The trials as a pandas DataFrame (the `pandas` extra): one row per trial."""
        from hyperengine.study.dataframe import trials_dataframe

        return trials_dataframe(self.trials, self._parsed)

    # -- ask / tell -----------------------------------------------------------------------------------------
    def ask(self, n: int | None = None) -> Any:
        """A new trial, or a list of n trials to evaluate in parallel (diverse: every worker's running trials are
        fantasized). Enqueued configurations come first, each claimed by one worker."""
        count = 1 if n is None else n
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"ask: n must be a positive integer, got {n!r}")
        self._sync()
        self._fail_stale()
        trials: list[Trial] = []
        while len(trials) < count:
            claimed = self._storage.claim_enqueued(self._record.study_id, self._worker)
            if claimed is None:
                break
            params = claimed.params if claimed.params is not None else self._parsed.instantiate(claimed.point)
            self._wrote(claimed.version)
            trials.append(self._register(claimed, params))
        conflicts = 0
        refused: list[npt.NDArray[np.float64]] = []  # the proposals not created yet after the last conflict
        while len(trials) < count:
            unseen = self._top  # trials numbered from here were not seen by the proposal
            if conflicts < MAX_PROPOSAL_CONFLICTS:
                proposals = self._propose(count - len(trials), [t.point for t in trials])
            else:  # contended: the refused proposals moved at random, each time farther, instead of a new model run
                proposals = [_nudged(point, PROPOSAL_GAP * 2.0 ** (2 + conflicts - MAX_PROPOSAL_CONFLICTS),
                                    self._nudges) for point in refused]
            for index, point in enumerate(proposals):
                params = self._parsed.instantiate(point)
                try:
                    created = self._storage.create_trial(
                        self._record.study_id, self._worker, point.tolist(), self._storage.storable(params),
                        distinct_from=unseen, gap=PROPOSAL_GAP)
                except ProposalConflictError as conflict:  # a concurrent worker took that point: propose again
                    log.info("Proposing again: %s", conflict)
                    conflicts += 1
                    refused = proposals[index:]
                    self._sync()
                    break
                self._wrote(created.version)
                trials.append(self._register(created, params))
        return trials[0] if n is None else trials

    def _propose(self, count: int, own: list[npt.NDArray[np.float64]]) -> list[npt.NDArray[np.float64]]:
        """count new points in the unit cube, every worker's RUNNING trials (and `own`) fantasized."""
        running = [self._mirror[number].point for number in sorted(self._running)]
        pending = np.array(running + own).reshape(-1, self._parsed.size())
        return [np.clip(np.asarray(point, dtype=np.float64), 0.0, 1.0) for point in
                self._strategy.next_proposals(count, pending=pending if len(pending) else None)]

    def running_trial(self, number: int) -> Trial:
        """The handle of RUNNING trial `number` (to report and tell through): this process's own, or one another
        process asked for and left running (a restored driver adopts it; its heartbeat now comes from here)."""
        handle = self._handles.get(number)
        if handle is not None:
            return handle
        self._sync()
        snapshot = self._mirror.get(number) if isinstance(number, int) and not isinstance(number, bool) else None
        if snapshot is None:
            raise ValueError(f"running_trial: no trial number {number!r} in study {self._record.name!r}")
        if snapshot.state is not TrialState.RUNNING:
            raise ValueError(f"running_trial: trial {number} is {snapshot.state.value}, not running")
        return self._register(snapshot, snapshot.params)

    def _register(self, snapshot: FrozenTrial, params: Any) -> Trial:
        if snapshot.params is None:
            snapshot = snapshot.replace(params=params)
        handle = Trial(self, snapshot, params)
        self._handles[snapshot.number] = handle
        self._mirror[snapshot.number] = snapshot  # the same snapshot: a report replaces both at once
        self._top = max(self._top, snapshot.number + 1)
        self._running.add(snapshot.number)
        self._reports.started(snapshot.number)
        if self._heartbeat is not None:
            self._heartbeat.ensure_running()
        return handle

    def _fail_stale(self) -> None:
        """Fail the RUNNING trials (of any worker) whose heartbeat is older than the grace period (looked for
        at most once per heartbeat interval: a trial cannot go stale faster)."""
        if self._grace is None or time.monotonic() - self._stale_checked < self._grace / 4:
            return
        self._stale_checked = time.monotonic()
        failed = self._storage.fail_stale_trials(self._record.study_id, self._grace, self._retry_failed)
        if failed:
            log.warning("Trials %s of study %r failed: their workers sent no heartbeat for %g s", failed,
                        self._record.name, self._grace)
            self._sync()

    def tell(self, trial: Trial | FrozenTrial | int, value: float | None = None,
             state: str | TrialState | None = None, error: str | None = None, noise: float = 0.0) -> Trial:
        """Finish a trial. A NaN/inf/None value, or state='failed', records it as failed (never fed to the GP);
        state='pruned' with a value (the predicted final one, `noise` its variance) feeds the GP with that noise.
        `trial` is a Trial, a snapshot or a trial number. state='failed' takes no value (ValueError: a failure has
        no result), and a pruned trial's value is a finite number or None (its predicted final value is then used).
        Only a RUNNING trial can be told; a trial failed for a missed heartbeat raises StaleTrialError (the value
        is kept as its late_value).
        """
        number = self._number_of(trial)
        if not (math.isfinite(noise) and noise >= 0):
            raise ValueError(f"tell: noise must be a finite non-negative variance, got {noise!r}")
        target = TrialState(state) if state is not None else TrialState.COMPLETE
        if target is TrialState.RUNNING:
            raise ValueError("tell: state cannot be 'running'")
        numeric = _as_number(value)
        if target is TrialState.FAILED and value is not None:
            raise ValueError(f"tell: a failed trial has no value, got value={value!r} with state='failed' (give "
                             f"state='complete' for a result, or no value for a failure)")
        if target is TrialState.PRUNED and value is not None and numeric is None:
            raise ValueError(f"tell: a pruned trial's value (its predicted final value) must be a finite number or "
                             f"None, got {value!r}")
        if target is TrialState.PRUNED and numeric is None and value is None:
            numeric, noise = self._pruned_value(self._handles[number]) if number in self._handles else (None, 0.0)
        if target is TrialState.COMPLETE and numeric is None:
            target, error = TrialState.FAILED, error or f"the objective returned {value!r}, not a finite number"
        if target is TrialState.FAILED:
            numeric, error = None, error or "told as failed"
            log.warning("Trial %d failed: %s", number, error)
        handle = self._handles.get(number)
        with self._reports.finishing(number) as waiting:
            finished = self._storage.finish_trial(self._record.study_id, number, target, numeric,
                                                  noise if target is TrialState.PRUNED else 0.0, error, waiting)
        self._wrote(finished.version)
        self._feed_all([self._absorb(finished)])
        if (finished.state is TrialState.COMPLETE and finished.value is not None and self._curve_predictor is not None
                and finished.intermediate_values):
            self._curve_predictor.add_curve([self._sign * v for v in finished.curve], self._sign * finished.value)
        if (finished.state is TrialState.PRUNED and isinstance(self._curve_predictor, CrossRunCurvePredictor)
                and finished.intermediate_values):  # a stopped run's partial curve is data too
            self._curve_predictor.add_partial_curve([self._sign * v for v in finished.curve])
        if handle is None:
            handle = Trial(self, finished, finished.params)
        return handle

    def _number_of(self, trial: Trial | FrozenTrial | int) -> int:
        """The number of a trial given as this study's handle, a snapshot or a number."""
        if isinstance(trial, Trial):
            if trial._study is not self:
                raise ValueError(f"trial {trial.number} does not belong to this study")
            return trial.number
        if isinstance(trial, FrozenTrial):
            number = trial.number
        elif isinstance(trial, (int, np.integer)) and not isinstance(trial, bool):
            number = int(trial)
        else:
            raise TypeError(f"tell: trial must be a Trial or a trial number, got {type(trial).__name__} {trial!r}")
        if number not in self._mirror:
            self._sync()
        if number not in self._mirror:
            raise ValueError(f"tell: there is no trial number {number} in study {self._record.name!r} (its trials "
                             f"are numbered 0 to {len(self._mirror) - 1})" if self._mirror else
                             f"tell: there is no trial number {number}: study {self._record.name!r} has no trials yet")
        return number

    def _report(self, trial: Trial, value: float, step: int) -> None:
        """Record an intermediate value of a running trial: one row appended in the storage, at once or with the
        next write (report_interval)."""
        if trial.state is not TrialState.RUNNING:
            raise ValueError(f"trial {trial.number} is {trial.state.value}; report() needs a running trial")
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
            raise ValueError(f"report: step must be a non-negative integer, got {step!r}")
        if isinstance(value, bool) or _as_number(value) is None:
            raise ValueError(f"report: value must be a finite number, got {value!r}")
        self._wrote(self._reports.add(trial.number, int(step), float(value)))
        mirrored = self._mirror.get(trial.number)
        if mirrored is not None and mirrored.state is TrialState.RUNNING:  # the mirror's copy of this trial too
            snapshot = mirrored.with_intermediate(int(step), float(value))
            self._mirror[trial.number] = snapshot
            trial._snapshot = snapshot if mirrored is trial._snapshot else trial._snapshot.with_intermediate(
                int(step), float(value))
        else:
            trial._snapshot = trial._snapshot.with_intermediate(int(step), float(value))

    def _feed(self, trial: FrozenTrial) -> None:
        """Give a finished trial with a value to the strategy (as a value to maximize)."""
        if trial.state in (TrialState.COMPLETE, TrialState.PRUNED) and trial.value is not None:
            try:
                self._strategy.add_point(trial.point, self._sign * trial.value, trial.noise)
            except _core.LinAlgError as failure:  # the GP keeps its previous points; the trial stays recorded
                log.warning("Trial %d could not be added to the GP: %s", trial.number, failure)

    def _feed_all(self, trials: Sequence[FrozenTrial]) -> None:
        """Give the finished trials not given yet to the strategy, each once, in one batch (one factorization);
        one by one if that fails."""
        fed = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED) and t.value is not None
               and t.number not in self._fed]
        if not fed:
            return
        self._fed.update(t.number for t in fed)
        try:
            self._strategy.add_points(np.array([t.point for t in fed]), [self._sign * float(t.value)  # type: ignore[arg-type]
                                                                         for t in fed], [t.noise for t in fed])
        except _core.LinAlgError:  # nothing was recorded: find the offending trials one by one
            for trial in fed:
                self._feed(trial)

    def _should_stop(self, trial: Trial) -> bool:
        if self._curve_predictor is None or not trial.intermediate_values:
            return False
        self._sync()  # the curves and best values of every worker
        best = self._best_oriented()
        curve = self._oriented_curve(trial)
        return bool(self._curve_predictor.should_stop(curve, best))

    def _best_oriented(self) -> float | None:
        return None if self._best is None else self._sign * float(self._mirror[self._best].value)  # type: ignore[arg-type]

    def _oriented_curve(self, trial: Trial) -> list[float]:
        """The trial's curve as the predictor sees it (larger is better), checked against its value range."""
        curve = [self._sign * v for v in trial.curve]
        bounds = getattr(self._curve_predictor, "value_range", None)
        if bounds is not None and not all(bounds[0] <= v <= bounds[1] for v in curve):
            hint = (" For direction='minimize' the predictor sees -value: give it value_range=(-high, -low), or None "
                    "for an unbounded metric." if self._sign < 0 else "")
            raise ValueError(f"trial {trial.number}: reported values fall outside the curve predictor's value_range "
                             f"{tuple(bounds)}.{hint}")
        return curve

    def _pruned_value(self, trial: Trial) -> tuple[float | None, float]:
        """The predicted final value of a stopped trial and its variance, or (None, 0) without a prediction."""
        if self._curve_predictor is None or not trial.intermediate_values:
            return None, 0.0
        prediction = self._curve_predictor.predictive(self._oriented_curve(trial))
        if prediction is None:
            return None, 0.0
        mean, stdev = prediction
        return self._sign * mean, stdev**2

    def enqueue(self, params: Any) -> None:
        """Evaluate these hyper-parameters next (a configuration shaped like the spec's instances); with many
        workers, exactly one of them claims it."""
        point = self._parsed.to_unit(params)  # validates now rather than at ask time
        self._storage.enqueue_trial(self._record.study_id, point.tolist(),
                                    self._storage.storable(copy.deepcopy(params)))

    def add_trial(self, params: Any, value: float) -> Trial:
        """Import a known result (warm start): a complete trial with these hyper-parameters and value."""
        numeric = _as_number(value)
        if numeric is None:
            raise ValueError(f"add_trial: value must be a finite number, got {value!r}")
        point = self._parsed.to_unit(params)
        kept = copy.deepcopy(params)
        created = self._storage.create_trial(self._record.study_id, self._worker, point.tolist(),
                                             self._storage.storable(kept))
        return self.tell(self._register(created, kept), numeric)

    def add_trials(self, rows: Iterable[tuple[Any, float]]) -> list[FrozenTrial]:
        """Import known results in bulk: complete trials from (params, value) pairs, the same state as add_trial
        one by one, written to the storage in one step (one transaction, one rewrite of a JSON file) and the
        model updated once. Every row is checked first: nothing is recorded when one is invalid."""
        checked: list[tuple[npt.NDArray[np.float64], Any, float]] = []
        for index, row in enumerate(rows):
            try:
                params, value = row
            except (TypeError, ValueError) as error:
                raise ValueError(f"add_trials: row {index} is not a (params, value) pair") from error
            numeric = _as_number(value)
            if numeric is None:
                raise ValueError(f"add_trials: row {index}: value must be a finite number, got {value!r}")
            try:
                point = self._parsed.to_unit(params)
            except ValueError as error:
                raise ValueError(f"add_trials: row {index}: {error}") from error
            checked.append((point, copy.deepcopy(params), numeric))
        if not checked:
            return []
        now = datetime.now()
        stored = self._storage.import_trials(self._record.study_id, [
            FrozenTrial(0, TrialState.COMPLETE, self._storage.storable(params), point, value=numeric,
                        datetime_start=now, datetime_complete=now, worker=self._worker)
            for point, params, numeric in checked])
        added = [self._absorb(finished if finished.params is not None else finished.replace(params=params))
                 for finished, (_, params, _) in zip(stored, checked, strict=True)]
        self._feed_all(added)
        return added

    def close(self) -> None:
        """Write the reports still waiting, stop the heartbeat thread and release the storage (a JSON file's
        lock); the study is unusable after."""
        self._reports.flush()
        if self._heartbeat is not None:
            self._heartbeat.stop()
        self._storage.close()

    # -- the loop -------------------------------------------------------------------------------------------
    def optimize(self, func: Objective, n_trials: int | None = None, timeout: float | None = None,
                 catch: Iterable[type[BaseException]] | type[BaseException] = (Exception,),
                 callbacks: Sequence[Callable[[Study, Trial], None]] = (),
                 show_progress_bar: bool = False) -> None:
        """Run func(params) (or func(params, trial)) for n_trials trials or until timeout seconds have passed.

        A trial whose func raises one of `catch` is recorded as failed and the study goes on; other
        exceptions are recorded, then re-raised. TrialPruned, or returning after trial.should_stop() said
        True, records the trial as pruned with the curve predictor's predicted final value.
        """
        if n_trials is None and timeout is None:
            raise ValueError("optimize: give n_trials, timeout or both")
        if n_trials is not None and (isinstance(n_trials, bool) or not isinstance(n_trials, numbers.Integral)):
            raise TypeError(f"optimize: n_trials must be an int, got {type(n_trials).__name__} {n_trials!r}")
        if n_trials is not None and n_trials < 0:
            raise ValueError(f"optimize: n_trials must be non-negative, got {n_trials}")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, numbers.Real)):
            raise TypeError(f"optimize: timeout must be a number of seconds, got {type(timeout).__name__}")
        if timeout is not None and not timeout > 0:
            raise ValueError(f"optimize: timeout must be a positive number of seconds, got {timeout!r}")
        caught = tuple(catch) if isinstance(catch, Iterable) else (catch,)
        wrong = [kind for kind in caught if not (isinstance(kind, type) and issubclass(kind, BaseException))]
        if wrong:
            raise TypeError(f"optimize: catch must hold exception classes, got {wrong[0]!r}")
        call = _objective_caller(func)
        started = time.monotonic()
        done = 0
        with ProgressBar(n_trials, timeout, enabled=show_progress_bar) as progress:
            while n_trials is None or done < n_trials:
                if timeout is not None and time.monotonic() - started >= timeout:
                    break
                trial = self.ask()
                self._run(call, trial, caught)
                done += 1
                progress.update(self, trial)
                for callback in callbacks:
                    callback(self, trial)

    def _run(self, call: Callable[[Trial], Any], trial: Trial, caught: tuple[type[BaseException], ...]) -> None:
        try:
            try:
                value = call(trial)
            except TrialPruned:
                self._finish_pruned(trial)
                return
            except BaseException as failure:
                self.tell(trial, state=TrialState.FAILED,
                          error="".join(traceback.format_exception_only(type(failure), failure)).strip())
                if not isinstance(failure, caught):
                    raise
                return
            if trial.stop_requested and _as_number(value) is not None:
                self._finish_pruned(trial)  # the objective returned early because should_stop() said so
                return
            self.tell(trial, value)
        except StaleTrialError as stale:  # this worker stalled past the grace period: the loop goes on
            log.warning("%s", stale)

    def _finish_pruned(self, trial: Trial) -> None:
        value, variance = self._pruned_value(trial)
        self.tell(trial, value, state=TrialState.PRUNED, noise=variance,
                  error=None if value is not None else "stopped early without a prediction")


def _nudged(point: npt.NDArray[np.float64], scale: float, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """point moved by up to `scale` (max-norm) at random, kept in the unit cube: a refused proposal made distinct
    from the concurrent trial that took it without another model run."""
    return np.clip(point + rng.uniform(-scale, scale, point.shape), 0.0, 1.0)


def _check_seed(seed: Any) -> None:
    """A seed is None or an integer in [0, 2**63) (numpy's generators and the compiled core take it)."""
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__} {seed!r}")
    if not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed must be between 0 and 2**63 - 1, got {seed}")


def _as_number(value: Any) -> float | None:
    """A finite float, or None for None/NaN/inf/booleans/non-numbers (a string "0.5" is not a value)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _objective_caller(func: Objective) -> Callable[[Trial], Any]:
    """func(params) or func(params, trial) (see takes_trial; *args takes the trial too)."""
    if takes_trial(func, through_varargs=True):
        return lambda trial: func(trial.params, trial)
    return lambda trial: func(trial.params)


def create_study(space: Any, direction: str | None = None, strategy: str | BaseStrategy = "bayesian",
                 seed: int | None = None, curve_predictor: CurvePredictor | None = None,
                 storage: StorageLike = None, study_name: str | None = None, load_if_exists: bool | None = None,
                 heartbeat_grace: float | None = None, retry_failed: int = 0,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT, pruner: str | None = None,
                 report_interval: float | None = None, **strategy_params: Any) -> Study:
    """A study over `space` (a spec). direction: 'maximize' (default) | 'minimize'. strategy: 'bayesian'
    (default), 'portfolio', 'random' or a BaseStrategy; strategy_params go to it (utility_gen, burn_in,
    kernel_gen, ...). seed makes the proposals reproducible. curve_predictor enables trial.should_stop().

    storage: None (in memory), 'sqlite:///path.db', 'postgresql://...', or a JSON file path (one process).
    study_name: the study's name in the storage ('default'). load_if_exists: resume a stored study of that
    name (its space and direction must match: an error says what differs); False makes an existing name an
    error; None (default) resumes a JSON file and refuses an existing name in a database. heartbeat_grace:
    seconds without a heartbeat after which another worker fails a RUNNING trial (default 60 for a shared
    storage); retry_failed: how many times such a trial's configuration is re-enqueued. busy_timeout: seconds
    a write waits for another process's lock before StorageLockedError. report_interval: a report is written
    at once when its trial last wrote this many seconds ago or more, else with the next write (default 1 s
    for a shared storage, 0 otherwise): a fast loop's curve costs one transaction, a slow one is live.

    pruner='curve': trial.should_stop() with the default early-stopping rule (CrossRunCurvePredictor, see
    docs/curves.md); a stopped trial told with state='pruned' and no value gets its predicted final value.
    """
    if space is None:
        raise ValueError("space: a spec with at least one search dimension (spec.uniform, spec.choice, ...) is "
                         "needed, got None (load_study opens a stored study without one)")
    if pruner is not None:
        if pruner != "curve":
            raise ValueError(f"pruner must be 'curve' or None, got {pruner!r}")
        if curve_predictor is not None:
            raise ValueError("give pruner='curve' or a curve_predictor, not both")
        curve_predictor = CrossRunCurvePredictor()
    return Study(space, direction=direction, strategy=strategy, seed=seed, curve_predictor=curve_predictor,
                 storage=storage, study_name=study_name, load_if_exists=load_if_exists,
                 heartbeat_grace=heartbeat_grace, retry_failed=retry_failed, busy_timeout=busy_timeout,
                 report_interval=report_interval, **strategy_params)


__all__ = ["CorruptStateError", "Study", "TrialPruned", "create_study"]
