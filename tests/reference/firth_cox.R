# Reference values for the Firth-penalised Cox model (Heinze & Schemper 2001), as R's
# coxphf computes them, written WITHOUT coxphf: coxphf is not among Debian's R packages
# and this machine reaches no other R repository. So this script implements coxphf's
# definitions directly in base R, independently of the Python code:
#   penalised log-likelihood  l*(b) = l(b) + 0.5 log det I(b)   (Breslow ties, as coxphf)
#   modified score            U*(b) = U(b) + 0.5 tr(I^-1 dI/db_r), dI/db_r written as the
#                              third central moment of x over each risk set (the Python
#                              code uses raw moments)
#   estimate                  Newton-Raphson with I(b) as the Hessian, run until |U*| < 1e-12
#   se                        sqrt(diag(I(b_hat)^-1)), coxphf's 'var'
#   p (pl = TRUE)             penalised likelihood-ratio test of b_j = 0 (others re-fitted)
#   CI (pl = TRUE)            profile penalised-likelihood interval, by uniroot
#   loglik                    c(l*(0), l*(b_hat)); LR test 2 diff(loglik)
# The modified score is checked against a numerical derivative of l*(b) below.
# Run from this folder: Rscript firth_cox.R  (after make_cox_fixtures.R wrote the CSVs)
source("json_writer.R")
writeLines(capture.output(sessionInfo()), "firth_cox_sessionInfo.txt")

pieces <- function(b, time, event, X) {
  eta <- drop(X %*% b)
  r <- exp(eta)
  p <- ncol(X)
  ll <- 0; U <- numeric(p); I <- matrix(0, p, p); dI <- array(0, c(p, p, p))
  for (t in sort(unique(time[event == 1]))) {
    risk <- time >= t
    d <- sum(time == t & event == 1)
    w <- r[risk] / sum(r[risk])
    Xr <- X[risk, , drop = FALSE]
    xbar <- colSums(w * Xr)
    Xc <- sweep(Xr, 2, xbar)
    ll <- ll + sum(eta[time == t & event == 1]) - d * log(sum(r[risk]))
    U <- U + colSums(X[time == t & event == 1, , drop = FALSE]) - d * xbar
    I <- I + d * crossprod(Xc * sqrt(w))
    for (k in seq_len(p)) dI[, , k] <- dI[, , k] + d * crossprod(Xc * (w * Xc[, k]), Xc)
  }
  Iinv <- solve(I)
  Ustar <- U + 0.5 * vapply(seq_len(p), function(k) sum(diag(Iinv %*% dI[, , k])), 0)
  list(pll = ll + 0.5 * as.numeric(determinant(I)$modulus), Ustar = Ustar, I = I, ll = ll)
}

firth_fit <- function(time, event, X, fixed = integer(0), value = numeric(0), start = NULL) {
  p <- ncol(X)
  b <- if (is.null(start)) numeric(p) else start
  b[fixed] <- value
  free <- setdiff(seq_len(p), fixed)
  cur <- pieces(b, time, event, X)
  for (it in 1:500) {
    if (length(free) == 0 || max(abs(cur$Ustar[free])) < 1e-12) break
    step <- solve(cur$I[free, free, drop = FALSE], cur$Ustar[free])
    if (max(abs(step)) > 0.5) step <- step * 0.5 / max(abs(step))
    for (h in 1:40) {
      bn <- b; bn[free] <- b[free] + step
      new <- pieces(bn, time, event, X)
      if (new$pll >= cur$pll - 1e-12 * abs(cur$pll)) break
      step <- step / 2
    }
    b <- bn; cur <- new
  }
  list(b = b, pll = cur$pll, I = cur$I, Ustar = cur$Ustar)
}

profile_ci <- function(time, event, X, fit, j, se, level = 0.95) {
  crit <- qchisq(level, 1)
  f <- function(v) 2 * (fit$pll - firth_fit(time, event, X, j, v, start = fit$b)$pll) - crit
  bound <- function(dir) {
    inner <- fit$b[j]; outer <- inner + dir * 2 * max(se, 0.1)
    while (f(outer) < 0) { step <- outer - fit$b[j]; inner <- outer; outer <- outer + step }
    uniroot(f, sort(c(inner, outer)), tol = 1e-13, maxiter = 500)$root
  }
  c(bound(-1), bound(1))
}

firth_case <- function(name, data, time, event, X) {
  fit <- firth_fit(data[[time]], data[[event]], X)
  # check the analytic modified score against a central difference of l*(b)
  num <- vapply(seq_len(ncol(X)), function(k) {
    h <- 1e-5; e <- numeric(ncol(X)); e[k] <- h
    (pieces(fit$b + e, data[[time]], data[[event]], X)$pll -
       pieces(fit$b - e, data[[time]], data[[event]], X)$pll) / (2 * h)
  }, 0)
  stopifnot(max(abs(num)) < 1e-6)
  se <- sqrt(diag(solve(fit$I)))
  null <- pieces(numeric(ncol(X)), data[[time]], data[[event]], X)$pll
  p_pl <- ci_lo <- ci_hi <- numeric(ncol(X))
  for (j in seq_len(ncol(X))) {
    f0 <- firth_fit(data[[time]], data[[event]], X, j, 0, start = replace(fit$b, j, 0))
    p_pl[j] <- pchisq(2 * (fit$pll - f0$pll), 1, lower.tail = FALSE)
    ci <- profile_ci(data[[time]], data[[event]], X, fit, j, se[j])
    ci_lo[j] <- ci[1]; ci_hi[j] <- ci[2]
  }
  z <- qnorm(0.975)
  list(name = name, term = colnames(X), coef = fit$b, se = se,
       p_wald = 2 * pnorm(-abs(fit$b / se)),
       wald_lower = exp(fit$b - z * se), wald_upper = exp(fit$b + z * se),
       p_profile = p_pl, profile_lower = exp(ci_lo), profile_upper = exp(ci_hi),
       loglik = c(null, fit$pll), lr = 2 * (fit$pll - null))
}

sep <- read.csv("cox_separation.csv")
mixed <- read.csv("cox_mixed.csv")
early <- read.csv("cox_early.csv")
cases <- list(
  firth_case("separation", sep, "time", "event", model.matrix(~ arm + age, sep)[, -1]),
  firth_case("mixed", mixed, "time", "event", model.matrix(~ sex + age + grp, mixed)[, -1]),
  firth_case("early", early, "time", "event", model.matrix(~ trt + score, early)[, -1])
)
names(cases) <- vapply(cases, function(z) z$name, "")
write_json(cases, "firth_results.json")
cat("wrote firth_results.json\n")
