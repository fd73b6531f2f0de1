# Parity fixtures for cart_hsct.survival.diagnostics (cox.zph and Schoenfeld residuals).
# Run from this folder: Rscript make_zph_fixtures.R
# Writes zph_*.csv (data), zph_results.json (R results) and zph_sessionInfo.txt.
# Needs only survival (Debian r-cran-survival, >= 3.0: cox.zph is the score test).
suppressPackageStartupMessages(library(survival))
writeLines(capture.output(sessionInfo()), "zph_sessionInfo.txt")
source("json_writer.R")
stopifnot(packageVersion("survival") >= "3.0")

# ---- data sets ------------------------------------------------------------------------
# 1. ties: two covariates (binary trt whose effect fades with time, continuous score);
#    times rounded to whole weeks, so deaths tie with deaths and with censorings.
set.seed(611)
n <- 120
trt <- rbinom(n, 1, 0.5)
score <- round(rnorm(n), 2)
# piecewise hazard: trt protective before week 8, harmful after (non-proportional)
base <- 0.06
t_early <- rexp(n, base * exp(-1.0 * trt + 0.3 * score))
t_late <- 8 + rexp(n, base * exp(0.6 * trt + 0.3 * score))
tt <- ifelse(t_early < 8, t_early, t_late)
cc <- runif(n, 4, 40)
tied <- data.frame(time = ceiling(pmin(tt, cc)), event = as.integer(tt <= cc),
                   trt = trt, score = score)
write.csv(tied, "zph_ties.csv", row.names = FALSE)

# 2. factor: a 3-level factor (a term of two columns) and age, proportional hazards
#    true; times to one decimal with some exact ties; rows in random order.
set.seed(622)
n <- 90
grp <- sample(c("a", "b", "c"), n, replace = TRUE)
age <- round(rnorm(n, 50, 10))
tt <- rexp(n, 0.08 * exp(c(a = 0, b = 0.5, c = 1)[grp] + 0.02 * (age - 50)))
cc <- runif(n, 2, 25)
fac <- data.frame(time = round(pmin(tt, cc)), event = as.integer(tt <= cc), grp = grp, age = age)
fac$time[fac$time == 0] <- 0.5
write.csv(fac, "zph_factor.csv", row.names = FALSE)

# ---- fits ---------------------------------------------------------------------------------
zph_case <- function(name, file, data, formula, ties, transform, terms) {
  fit <- coxph(formula, data = data, ties = ties, x = TRUE, y = TRUE, model = TRUE)
  z <- cox.zph(fit, transform = transform, terms = terms, global = TRUE)
  list(name = name, data = file, formula = deparse(formula), ties = ties,
       transform = transform, terms = terms,
       term = rownames(z$table), chisq = unname(z$table[, "chisq"]),
       df = unname(z$table[, "df"]), p = unname(z$table[, "p"]),
       x = unname(z$x), time = unname(z$time),
       y_columns = colnames(z$y), y = unname(as.vector(z$y)),
       var = unname(as.vector(z$var)), coef = unname(coef(fit)))
}
resid_case <- function(name, file, data, formula, ties) {
  fit <- coxph(formula, data = data, ties = ties, x = TRUE, y = TRUE, model = TRUE)
  sch <- as.matrix(residuals(fit, type = "schoenfeld"))
  ssch <- as.matrix(residuals(fit, type = "scaledsch"))
  list(name = name, data = file, formula = deparse(formula), ties = ties,
       columns = names(coef(fit)), time = as.numeric(rownames(sch)),
       schoenfeld = unname(as.vector(sch)), scaledsch = unname(as.vector(ssch)))
}

zph <- list()
resid <- list()
models <- list(
  list("ties", "zph_ties.csv", tied, Surv(time, event) ~ trt + score),
  list("ties_trt", "zph_ties.csv", tied, Surv(time, event) ~ trt),
  list("factor", "zph_factor.csv", fac, Surv(time, event) ~ grp + age)
)
for (m in models) {
  for (ti in c("efron", "breslow")) {
    resid[[length(resid) + 1]] <- resid_case(paste(m[[1]], ti, sep = "_"), m[[2]], m[[3]],
                                             m[[4]], ti)
    for (tr in c("km", "identity", "rank", "log")) {
      for (te in c(TRUE, FALSE)) {
        if (!te && m[[1]] != "factor") next  # terms = FALSE differs only with a factor
        nm <- paste(m[[1]], ti, tr, if (te) "terms" else "coefs", sep = "_")
        zph[[length(zph) + 1]] <- zph_case(nm, m[[2]], m[[3]], m[[4]], ti, tr, te)
      }
    }
  }
}
names(zph) <- vapply(zph, function(z) z$name, "")
names(resid) <- vapply(resid, function(z) z$name, "")
write_json(list(zph = zph, residuals = resid), "zph_results.json")
