# Parity fixtures for cart_hsct.survival.cox and .fine_gray.
# Run from this folder: Rscript make_cox_fixtures.R
# Writes cox_*.csv / crr_*.csv (data), cox_results.json, crr_results.json (R results)
# and cox_sessionInfo.txt. Needs only survival and cmprsk (Debian r-cran-*).
suppressPackageStartupMessages({library(survival); library(cmprsk)})
writeLines(capture.output(sessionInfo()), "cox_sessionInfo.txt")
source("json_writer.R")

# ---- data sets ------------------------------------------------------------------------
# 1. mixed: binary + continuous + 3-level categorical; integer times give ties within
#    and across levels of every covariate; rows left in random order.
set.seed(101)
n <- 150
sex <- rbinom(n, 1, 0.45)
age <- round(rnorm(n, 40, 12), 1)
grp <- sample(c("low", "mid", "high"), n, replace = TRUE)
lp <- 0.5 * sex + 0.03 * (age - 40) + c(low = 0, mid = 0.4, high = 0.9)[grp]
tt <- rexp(n, 0.05 * exp(lp))
cc <- runif(n, 5, 40)
mixed <- data.frame(time = ceiling(pmin(tt, cc)), event = as.integer(tt <= cc),
                    sex = sex, age = age, grp = grp)
write.csv(mixed, "cox_mixed.csv", row.names = FALSE)

# 2. early: half the patients censored within the first 2 months
set.seed(202)
n <- 80
trt <- rbinom(n, 1, 0.5)
score <- round(rnorm(n), 2)
tt <- rexp(n, 0.1 * exp(-0.7 * trt + 0.4 * score))
cc <- ifelse(runif(n) < 0.5, runif(n, 0, 2), 30)
early <- data.frame(time = round(pmin(tt, cc), 1), event = as.integer(tt <= cc),
                    trt = trt, score = score)
write.csv(early, "cox_early.csv", row.names = FALSE)

# 3. separation: arm C has no events (monotone likelihood for armC)
set.seed(303)
n <- 45
arm <- rep(c("A", "B", "C"), each = 15)
age <- round(rnorm(n, 50, 10))
sep <- data.frame(time = round(rexp(n, 0.1), 1), event = rbinom(n, 1, 0.7), arm = arm, age = age)
sep$event[sep$arm == "C"] <- 0L
sep <- sep[sample(n), ]
write.csv(sep, "cox_separation.csv", row.names = FALSE)

# 4. counting process: 'hsct' switches 0 -> 1 at a transplant day; integer days -> ties
set.seed(404)
n <- 120
rows <- list()
for (i in seq_len(n)) {
  age_i <- round(rnorm(1, 35, 10))
  w <- if (runif(1) < 0.5) ceiling(runif(1, 1, 20)) else Inf      # transplant day
  t_death <- ceiling(rexp(1, 0.04 * exp(0.02 * (age_i - 35))))
  if (w < t_death) t_death <- w + ceiling(rexp(1, 0.02))          # lower hazard after
  cens <- ceiling(runif(1, 10, 60))
  stop_ <- min(t_death, cens)
  ev <- as.integer(t_death <= cens)
  if (w < stop_) {
    rows[[i]] <- data.frame(id = i, start = c(0, w), stop = c(w, stop_), event = c(0L, ev),
                            hsct = c(0, 1), age = age_i)
  } else {
    rows[[i]] <- data.frame(id = i, start = 0, stop = stop_, event = ev, hsct = 0, age = age_i)
  }
}
tv <- do.call(rbind, rows)
write.csv(tv, "cox_tv.csv", row.names = FALSE)

# 5. competing risks: causes 1 and 2 (and a rare cause 3), integer times so that
#    failures of different causes and censorings are tied
set.seed(505)
n <- 200
sex <- rbinom(n, 1, 0.5)
age <- round(rnorm(n, 45, 12), 1)
grp <- sample(c("a", "b", "c"), n, replace = TRUE)
t1 <- rexp(n, 0.03 * exp(0.6 * sex + 0.02 * (age - 45) + c(a = 0, b = 0.5, c = -0.3)[grp]))
t2 <- rexp(n, 0.02 * exp(-0.4 * sex))
t3 <- rexp(n, 0.004)
cc <- runif(n, 2, 60)
tm <- pmin(t1, t2, t3, cc)
status <- ifelse(tm == cc, 0L, ifelse(tm == t1, 1L, ifelse(tm == t2, 2L, 3L)))
crr_data <- data.frame(time = ceiling(tm), status = status, sex = sex, age = age, grp = grp)
write.csv(crr_data, "crr_data.csv", row.names = FALSE)

# ---- Cox fits ---------------------------------------------------------------------------
tst <- function(stat, df) c(stat, df, pchisq(stat, df, lower.tail = FALSE))
cox_case <- function(name, data, formula, ties, note = "") {
  w <- character(0)
  fit <- withCallingHandlers(coxph(formula, data = data, ties = ties),
                             warning = function(m) {w <<- c(w, conditionMessage(m)); invokeRestart("muffleWarning")})
  s <- summary(fit)
  ci <- exp(confint(fit))
  list(name = name, data = note, formula = deparse(formula), ties = ties,
       term = names(coef(fit)), coef = unname(coef(fit)), se = unname(sqrt(diag(fit$var))),
       p = unname(s$coefficients[, "Pr(>|z|)"]),
       ci_lower = unname(ci[, 1]), ci_upper = unname(ci[, 2]),
       loglik = fit$loglik, n = fit$n, nevent = fit$nevent, iter = fit$iter,
       # raw statistics: summary.coxph rounds the Wald and score statistics for printing
       lr = tst(2 * diff(fit$loglik), length(coef(fit))),
       wald = tst(unname(fit$wald.test), length(coef(fit))),
       score = tst(unname(fit$score), length(coef(fit))),
       warnings = w)
}

mixed_f <- mixed
mixed_f$grp <- factor(mixed_f$grp, levels = c("low", "mid", "high"))
cases <- list()
for (ties in c("efron", "breslow")) {
  cases[[length(cases) + 1]] <- cox_case(paste0("mixed_", ties), mixed,
    Surv(time, event) ~ sex + age + grp, ties, "cox_mixed.csv (grp levels sorted: high, low, mid)")
  cases[[length(cases) + 1]] <- cox_case(paste0("mixed_levels_", ties), mixed_f,
    Surv(time, event) ~ sex + age + grp, ties, "cox_mixed.csv, grp = factor(levels = low, mid, high)")
  cases[[length(cases) + 1]] <- cox_case(paste0("mixed_age_", ties), mixed,
    Surv(time, event) ~ age, ties, "cox_mixed.csv")
  cases[[length(cases) + 1]] <- cox_case(paste0("early_", ties), early,
    Surv(time, event) ~ trt + score, ties, "cox_early.csv")
  cases[[length(cases) + 1]] <- cox_case(paste0("separation_", ties), sep,
    Surv(time, event) ~ arm + age, ties, "cox_separation.csv")
  cases[[length(cases) + 1]] <- cox_case(paste0("tv_", ties), tv,
    Surv(start, stop, event) ~ hsct + age, ties, "cox_tv.csv")
}
names(cases) <- vapply(cases, function(z) z$name, "")
write_json(cases, "cox_results.json")

# ---- Fine-Gray fits ---------------------------------------------------------------------
crr_case <- function(name, data, cov_formula, failcode) {
  X <- model.matrix(cov_formula, data)[, -1, drop = FALSE]
  fit <- crr(data$time, data$status, cov1 = X, failcode = failcode, cencode = 0)
  se <- sqrt(diag(fit$var))
  z <- qnorm(0.975)
  list(name = name, formula = deparse(cov_formula), failcode = failcode,
       term = colnames(X), coef = unname(fit$coef), se = unname(se),
       p = unname(2 * (1 - pnorm(abs(fit$coef) / se))),
       ci_lower = unname(exp(fit$coef - z * se)), ci_upper = unname(exp(fit$coef + z * se)),
       loglik = fit$loglik, loglik_null = fit$loglik.null, converged = fit$converged, n = fit$n)
}
crr_cases <- list(
  crr_case("all_cause1", crr_data, ~ sex + age + grp, 1),
  crr_case("all_cause2", crr_data, ~ sex + age + grp, 2),
  crr_case("sex_cause1", crr_data, ~ sex, 1)
)
names(crr_cases) <- vapply(crr_cases, function(z) z$name, "")
write_json(crr_cases, "crr_results.json")
cat("wrote cox_results.json, crr_results.json\n")
