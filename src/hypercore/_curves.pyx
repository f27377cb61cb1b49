# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Parametric learning-curve families and the Metropolis sampler of their weighted ensemble.

Notation (Domhan, Springenberg and Hutter, IJCAI 2015, "Speeding up automatic hyperparameter optimization
of deep neural networks by extrapolation of learning curves"):
    t        (n,)   epoch / horizon, in (0, 1]; t = 1 is the final epoch we extrapolate to
    y        (n,)   observed curve, scaled so that the value range of interest is [0, 1]
    f_k(t; theta_k) one parametric family k (pow3, exp3, MMF, Janoschek, Weibull, ...)
    w_k             ensemble weight, w = softmax(log_weights)
    sigma           Gaussian observation noise
    model           y_i ~ N(sum_k w_k f_k(t_i; theta_k), sigma^2)
    prior           uniform on the bounded parameters and log_weights, log-uniform sigma on
                    [sigma_low, 1], and (as Domhan et al.) the ensemble must not decrease from the first
                    observed epoch to t = 1 and must end at or below `y_upper` (a steep quadratic barrier).

The sampler is a sequential random-walk Metropolis chain, one block per family (its parameters and its
log-weight) plus one block for log(sigma). Each step re-evaluates only the changed family, so it costs
O(n) scalar transcendental calls: a loop numpy cannot vectorize, hence this module. Step sizes adapt
during burn-in only (targeting ~30 % acceptance), so the samples come from a fixed, valid chain.
"""

from libc.math cimport exp, log, pow, sqrt, cos, fabs, INFINITY, isfinite, M_PI
from libc.stdint cimport uint64_t

# Family ids; hyperengine.curve.families holds the names, bounds and starting guesses in the same order.
cdef enum:
    N_FAMILIES = 9
    ADAPT_EVERY = 50      # burn-in proposals per block between step-size adaptations
cdef int[N_FAMILIES] _N_PARAMS
_N_PARAMS[:] = [3, 4, 2, 3, 3, 4, 4, 4, 3]

cdef double SIGMA_HIGH = 0.0        # log(1): upper end of the log-uniform prior on sigma
cdef double BARRIER_WIDTH = 0.002   # scaled units: how far a sample may break the shape prior
cdef double LOG_WEIGHT_LIMIT = 10.0


cdef inline double _family(int family, const double* p, double t) noexcept nogil:
    """f_k(t; p) for one family at one position t in (0, 1]."""
    cdef double s
    # Rate and scale parameters (kappa, a, b below) are sampled as their logarithm: one step size then
    # fits a range of several decades.
    if family == 0:    # pow3: c - a t^-alpha
        return p[0] - p[1] * pow(t, -p[2])
    elif family == 1:  # pow4: c - (exp(log_a) t + b)^-alpha
        s = exp(p[1]) * t + p[2]
        if s <= 0.0:
            return INFINITY
        return p[0] - pow(s, -p[3])
    elif family == 2:  # log-linear: a + b log t
        return p[0] + p[1] * log(t)
    elif family == 3:  # exp3: c - a exp(-exp(log_b) t)
        return p[0] - p[1] * exp(-exp(p[2]) * t)
    elif family == 4:  # vapor pressure: exp(a + b / t + c log t)
        return exp(p[0] + p[1] / t + p[2] * log(t))
    elif family == 5:  # MMF: alpha - (alpha - beta) / (1 + (exp(log_kappa) t)^delta)
        return p[0] - (p[0] - p[1]) / (1.0 + pow(exp(p[2]) * t, p[3]))
    elif family == 6:  # Janoschek: alpha - (alpha - beta) exp(-exp(log_kappa) t^delta)
        return p[0] - (p[0] - p[1]) * exp(-exp(p[2]) * pow(t, p[3]))
    elif family == 7:  # Weibull: alpha - (alpha - beta) exp(-(exp(log_kappa) t)^delta)
        return p[0] - (p[0] - p[1]) * exp(-pow(exp(p[2]) * t, p[3]))
    elif family == 8:  # Hill: ymax t^eta / (exp(log_kappa)^eta + t^eta)
        s = pow(t, p[1])
        return p[0] * s / (exp(p[2] * p[1]) + s)
    return INFINITY


def n_families() -> int:
    """Number of families this module knows (ids 0 .. n_families() - 1)."""
    return N_FAMILIES


def n_params(int family) -> int:
    """Number of parameters of one family."""
    if family < 0 or family >= N_FAMILIES:
        raise ValueError(f"unknown curve family id {family}")
    return _N_PARAMS[family]


def evaluate(int family, const double[::1] params, const double[::1] t, double[::1] out) -> None:
    """out[i] = f_family(t[i]; params), written in place. Shapes: params (n_params,), t (n,), out (n,)."""
    if family < 0 or family >= N_FAMILIES:
        raise ValueError(f"unknown curve family id {family}")
    if params.shape[0] != _N_PARAMS[family]:
        raise ValueError(f"Invalid shape: params has {params.shape[0]} values, family {family} takes "
                         f"{_N_PARAMS[family]}")
    if out.shape[0] != t.shape[0]:
        raise ValueError("Invalid shape: out must have the length of t")
    cdef Py_ssize_t i
    with nogil:
        for i in range(t.shape[0]):
            out[i] = _family(family, &params[0], t[i])


cdef double _sse(int family, const double* p, const double[::1] t, const double[::1] y,
                 double* residual) noexcept nogil:
    """Sum of squared residuals of a family on (t, y); residual (n,) receives f(t) - y. Inf if not finite."""
    cdef double total = 0.0, value
    cdef Py_ssize_t i
    for i in range(t.shape[0]):
        value = _family(family, p, t[i]) - y[i]
        residual[i] = value
        total += value * value
    value = _family(family, p, 1.0)
    if not isfinite(total) or not isfinite(value):
        return INFINITY
    return total


cdef bint _solve(double* a, double* b, int m) noexcept nogil:
    """Solve a x = b in place (b <- x) for a symmetric positive definite a (m, m) by Cholesky."""
    cdef int i, j, k
    cdef double s
    for j in range(m):
        s = a[j * m + j]
        for k in range(j):
            s -= a[j * m + k] * a[j * m + k]
        if s <= 0.0:
            return False
        a[j * m + j] = sqrt(s)
        for i in range(j + 1, m):
            s = a[i * m + j]
            for k in range(j):
                s -= a[i * m + k] * a[j * m + k]
            a[i * m + j] = s / a[j * m + j]
    for i in range(m):
        s = b[i]
        for k in range(i):
            s -= a[i * m + k] * b[k]
        b[i] = s / a[i * m + i]
    for i in range(m - 1, -1, -1):
        s = b[i]
        for k in range(i + 1, m):
            s -= a[k * m + i] * b[k]
        b[i] = s / a[i * m + i]
    return True


def fit_family(int family, const double[::1] t, const double[::1] y, double[::1] params,
               const double[::1] lower, const double[::1] upper, int max_iterations=100) -> float:
    """Levenberg-Marquardt least squares of one family on (t, y) inside the box [lower, upper].

    params (n_params,) holds the start and receives the fit; t, y (n,). Forward-difference Jacobian, steps
    projected onto the box. Returns the sum of squared residuals (inf when no finite point was found).
    """
    if family < 0 or family >= N_FAMILIES:
        raise ValueError(f"unknown curve family id {family}")
    cdef int m = _N_PARAMS[family]
    cdef Py_ssize_t n = t.shape[0]
    if params.shape[0] != m or lower.shape[0] != m or upper.shape[0] != m:
        raise ValueError(f"Invalid shape: params, lower, upper must have {m} values for family {family}")
    if y.shape[0] != n or n < 1:
        raise ValueError("Invalid shape: t and y must have the same non-zero length")
    import numpy as np
    cdef double[::1] residual = np.empty(n)
    cdef double[::1] shifted = np.empty(n)
    cdef double[:, ::1] jacobian = np.empty((m, n))
    cdef double[16] normal
    cdef double[4] gradient, step, trial
    cdef double[4] point
    cdef double sse, trial_sse = INFINITY, h, lam = 1e-2
    cdef int iteration, i, j
    cdef Py_ssize_t r
    with nogil:
        for j in range(m):
            point[j] = min(max(params[j], lower[j]), upper[j])
        sse = _sse(family, point, t, y, &residual[0])
        for iteration in range(max_iterations):
            if not isfinite(sse):
                break
            for j in range(m):  # forward differences, stepping inwards at the box's upper edge
                h = 1e-6 * max(1.0, fabs(point[j]))
                if point[j] + h > upper[j]:
                    h = -h
                point[j] += h
                trial_sse = _sse(family, point, t, y, &shifted[0])
                point[j] -= h
                for r in range(n):
                    jacobian[j, r] = (shifted[r] - residual[r]) / h
            for i in range(m):
                gradient[i] = 0.0
                for r in range(n):
                    gradient[i] += jacobian[i, r] * residual[r]
            while lam < 1e10:
                for i in range(m):
                    for j in range(m):
                        normal[i * m + j] = 0.0
                        for r in range(n):
                            normal[i * m + j] += jacobian[i, r] * jacobian[j, r]
                    normal[i * m + i] = normal[i * m + i] * (1.0 + lam) + 1e-12
                    step[i] = -gradient[i]
                if _solve(normal, step, m):
                    for j in range(m):
                        trial[j] = min(max(point[j] + step[j], lower[j]), upper[j])
                    trial_sse = _sse(family, trial, t, y, &shifted[0])
                    if trial_sse < sse:
                        break
                lam *= 10.0
            if lam >= 1e10:
                break
            lam = max(lam * 0.1, 1e-7)
            if sse - trial_sse < 1e-12 * (1.0 + sse):
                sse = trial_sse
                for j in range(m):
                    point[j] = trial[j]
                break
            sse = trial_sse
            for j in range(m):
                point[j] = trial[j]
            for r in range(n):
                residual[r] = shifted[r]
        for j in range(m):
            params[j] = point[j]
    return sse


# ---- a small deterministic generator (splitmix64 seeding, xorshift64*), so the chain runs without the GIL

cdef inline uint64_t _next(uint64_t* state) noexcept nogil:
    state[0] ^= state[0] >> 12
    state[0] ^= state[0] << 25
    state[0] ^= state[0] >> 27
    return state[0] * <uint64_t>0x2545F4914F6CDD1D


cdef inline double _uniform(uint64_t* state) noexcept nogil:
    """Uniform in (0, 1)."""
    return ((_next(state) >> 11) + 0.5) * (1.0 / 9007199254740992.0)


cdef inline double _normal(uint64_t* state) noexcept nogil:
    """Standard normal by Box-Muller (one of the pair)."""
    return sqrt(-2.0 * log(_uniform(state))) * cos(2.0 * M_PI * _uniform(state))


cdef inline uint64_t _seed(uint64_t seed) noexcept nogil:
    cdef uint64_t z = seed + <uint64_t>0x9E3779B97F4A7C15
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EB
    z = z ^ (z >> 31)
    return z if z != 0 else <uint64_t>0x9E3779B97F4A7C15


cdef double _log_posterior(const double* y, const double* num, double z, Py_ssize_t n, double log_sigma,
                           double y_upper) noexcept nogil:
    """Log posterior up to a constant given the ensemble numerator num (n+1,: last = t of 1) and norm z.

    The shape prior is a steep barrier rather than a wall: a state that breaks it by v (scaled units) pays
    0.5 (v / BARRIER_WIDTH)^2, so a chain started outside (e.g. every family overshooting 1) walks in.
    """
    cdef double first = num[0] / z
    cdef double final = num[n] / z
    cdef double inv_var, r, sse = 0.0, violation = 0.0
    cdef Py_ssize_t i
    if not isfinite(final):
        return -INFINITY
    if final < first:
        violation += first - final
    if final > y_upper:
        violation += final - y_upper
    for i in range(n):
        r = y[i] - num[i] / z
        sse += r * r
    if not isfinite(sse):
        return -INFINITY
    inv_var = exp(-2.0 * log_sigma)
    r = violation / BARRIER_WIDTH
    return -n * log_sigma - 0.5 * sse * inv_var - 0.5 * r * r


def sample_ensemble(const double[::1] t, const double[::1] y, const int[::1] families,
                    const int[::1] offsets, double[::1] theta, const double[::1] lower,
                    const double[::1] upper, double[::1] log_weights, double log_sigma, double sigma_low,
                    double y_upper,
                    Py_ssize_t n_burn, Py_ssize_t n_samples, Py_ssize_t thin, unsigned long long seed,
                    double[::1] out_final, double[::1] out_sigma) -> float:
    """Run the Metropolis chain; write n_samples draws of the ensemble's value at t = 1 and of sigma.

    Shapes: t, y (n,); families (K,); offsets (K + 1,) with theta[offsets[k]:offsets[k+1]] the parameters of
    family k; theta, lower, upper (P,); log_weights (K,); out_final, out_sigma (n_samples,).
    theta, log_weights are updated in place to the chain's last state. Returns the acceptance rate after
    burn-in, or NaN when a recorded state had a non-finite posterior (the samples are then unusable).
    The positions t must lie in (0, 1), sigma_low (the noise floor) in (0, 1), and y_upper may be +inf.
    """
    cdef Py_ssize_t n = t.shape[0]
    cdef Py_ssize_t n_fam = families.shape[0]
    cdef Py_ssize_t n_par = theta.shape[0]
    if y.shape[0] != n or n < 1:
        raise ValueError("Invalid shape: t and y must have the same non-zero length")
    if offsets.shape[0] != n_fam + 1 or log_weights.shape[0] != n_fam or n_fam < 1:
        raise ValueError("Invalid shape: offsets must be (K + 1,) and log_weights (K,)")
    if lower.shape[0] != n_par or upper.shape[0] != n_par or offsets[n_fam] != n_par or offsets[0] != 0:
        raise ValueError("Invalid shape: theta, lower, upper must be (offsets[K],)")
    if out_final.shape[0] != n_samples or out_sigma.shape[0] != n_samples:
        raise ValueError("Invalid shape: out_final and out_sigma must be (n_samples,)")
    if n_burn < 0 or n_samples < 1 or thin < 1:
        raise ValueError("n_burn must be >= 0, n_samples >= 1 and thin >= 1")
    if not 0.0 < sigma_low < 1.0:
        raise ValueError(f"sigma_low must be in (0, 1), got {sigma_low}")
    cdef double log_sigma_low = log(sigma_low)
    log_sigma = min(max(log_sigma, log_sigma_low), SIGMA_HIGH)
    cdef Py_ssize_t k, j, i
    for k in range(n_fam):
        if families[k] < 0 or families[k] >= N_FAMILIES:
            raise ValueError(f"unknown curve family id {families[k]}")
        if offsets[k + 1] - offsets[k] != _N_PARAMS[families[k]]:
            raise ValueError(f"Invalid shape: family {families[k]} takes {_N_PARAMS[families[k]]} parameters")

    import numpy as np  # work buffers only; the chain itself runs on typed memoryviews without the GIL
    cdef double[:, ::1] values = np.empty((n_fam, n + 1))   # f_k at t_0..t_{n-1} and at t = 1
    cdef double[::1] num = np.zeros(n + 1)                    # sum_k exp(lw_k) f_k
    cdef double[::1] proposal_values = np.empty(n + 1)
    cdef double[::1] proposal_theta = np.empty(n_par)
    cdef double[::1] steps = np.full(n_fam + 1, 0.05)        # per block, as a fraction of each range
    cdef Py_ssize_t[::1] tried = np.zeros(n_fam + 1, dtype=np.intp)
    cdef Py_ssize_t[::1] accepted = np.zeros(n_fam + 1, dtype=np.intp)
    cdef const double* p
    cdef double z = 0.0, current, candidate, w_old, w_new, z_new, lw_new, ls_new, rate
    cdef Py_ssize_t step, block, total = n_burn + n_samples * thin, kept = 0, done = 0, sampled_accepts = 0
    cdef uint64_t state = _seed(seed)
    cdef bint inside, valid = True

    with nogil:
        for k in range(n_fam):
            p = &theta[offsets[k]]
            for i in range(n):
                values[k, i] = _family(families[k], p, t[i])
            values[k, n] = _family(families[k], p, 1.0)
            w_old = exp(log_weights[k])
            z += w_old
            for i in range(n + 1):
                num[i] += w_old * values[k, i]
        current = _log_posterior(&y[0], &num[0], z, n, log_sigma, y_upper)
        for j in range(n_par):
            proposal_theta[j] = theta[j]

        for step in range(total):
            block = <Py_ssize_t>(_uniform(&state) * (n_fam + 1))
            if block > n_fam:
                block = n_fam
            tried[block] += 1
            if block == n_fam:  # noise level
                ls_new = log_sigma + steps[block] * (SIGMA_HIGH - log_sigma_low) * _normal(&state)
                if log_sigma_low <= ls_new <= SIGMA_HIGH:
                    candidate = _log_posterior(&y[0], &num[0], z, n, ls_new, y_upper)
                    if log(_uniform(&state)) < candidate - current:
                        log_sigma = ls_new
                        current = candidate
                        accepted[block] += 1
                        if step >= n_burn:
                            sampled_accepts += 1
            else:
                k = block
                inside = True
                lw_new = log_weights[k] + steps[block] * 2.0 * _normal(&state)
                if lw_new < -LOG_WEIGHT_LIMIT or lw_new > LOG_WEIGHT_LIMIT:
                    inside = False
                for j in range(offsets[k], offsets[k + 1]):
                    proposal_theta[j] = theta[j] + steps[block] * (upper[j] - lower[j]) * _normal(&state)
                    if proposal_theta[j] < lower[j] or proposal_theta[j] > upper[j]:
                        inside = False
                if inside:
                    p = &proposal_theta[offsets[k]]
                    for i in range(n):
                        proposal_values[i] = _family(families[k], p, t[i])
                    proposal_values[n] = _family(families[k], p, 1.0)
                    w_old = exp(log_weights[k])
                    w_new = exp(lw_new)
                    z_new = z - w_old + w_new
                    for i in range(n + 1):
                        num[i] += w_new * proposal_values[i] - w_old * values[k, i]
                    candidate = _log_posterior(&y[0], &num[0], z_new, n, log_sigma, y_upper)
                    if isfinite(candidate) and log(_uniform(&state)) < candidate - current:
                        current = candidate
                        z = z_new
                        log_weights[k] = lw_new
                        for i in range(n + 1):
                            values[k, i] = proposal_values[i]
                        for j in range(offsets[k], offsets[k + 1]):
                            theta[j] = proposal_theta[j]
                        accepted[block] += 1
                        if step >= n_burn:
                            sampled_accepts += 1
                    else:
                        for i in range(n + 1):
                            num[i] -= w_new * proposal_values[i] - w_old * values[k, i]
                for j in range(offsets[k], offsets[k + 1]):
                    proposal_theta[j] = theta[j]
                if step % 997 == 0:  # refresh the running sums against rounding drift
                    z = 0.0
                    for i in range(n + 1):
                        num[i] = 0.0
                    for k in range(n_fam):
                        w_old = exp(log_weights[k])
                        z += w_old
                        for i in range(n + 1):
                            num[i] += w_old * values[k, i]
                    current = _log_posterior(&y[0], &num[0], z, n, log_sigma, y_upper)

            if step < n_burn:
                if tried[block] == ADAPT_EVERY:
                    rate = accepted[block] / <double>ADAPT_EVERY
                    if rate > 0.3:
                        steps[block] = min(steps[block] * 1.5, 1.0)
                    elif rate < 0.2:
                        steps[block] = max(steps[block] * 0.6, 1e-6)
                    tried[block] = 0
                    accepted[block] = 0
            else:
                done += 1
                if done % thin == 0 and kept < n_samples:
                    valid = valid and isfinite(current)
                    out_final[kept] = num[n] / z
                    out_sigma[kept] = exp(log_sigma)
                    kept += 1
    if not valid:  # a recorded state had a non-finite posterior: no usable samples
        return float("nan")
    return sampled_accepts / <double>max(done, 1)
