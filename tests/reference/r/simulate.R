## Simulated MMRM data sets for the reference cases (base R only, deterministic).
## Run from the repository's top folder:  Rscript tests/reference/r/simulate.R
## Writes sim_three_arm.csv and sim_two_arm_6v.csv next to this script: one row
## per subject and scheduled visit, CHG empty ("NA") when missing.

here <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  if (length(f) == 1L) dirname(normalizePath(f)) else getwd()
})

## Draw n rows from N(0, S) with the Cholesky factor (base R).
rmvn <- function(n, S) matrix(rnorm(n * nrow(S)), n) %*% chol(S)

## Monotone MAR dropout: after each visit t < T a subject still in the study
## leaves with probability plogis(a + b * z_t), z_t the standardised residual
## of the last observed value (worse than expected -> more likely to leave).
## Returns the last visit attended (T = completer).
dropout_visit <- function(resid_std, a, b) {
  n <- nrow(resid_std); T <- ncol(resid_std)
  last <- rep(T, n)
  for (i in seq_len(n)) {
    for (t in seq_len(T - 1L)) {
      if (runif(1) < plogis(a + b * resid_std[i, t])) { last[i] <- t; break }
    }
  }
  last
}

## Intermittent missing values: each observed value at a visit before the
## subject's last attended visit (and not visit 1) is removed with prob p.
intermittent <- function(last, T, p) {
  miss <- matrix(FALSE, length(last), T)
  for (i in seq_along(last)) {
    if (last[i] >= 3) {
      cand <- 2:(last[i] - 1L)
      miss[i, cand] <- runif(length(cand)) < p
    }
  }
  miss
}

to_long <- function(id, arm, base, Y, visits, last, miss, arm_col = "ARM") {
  n <- length(id); T <- length(visits)
  Yobs <- Y
  for (i in seq_len(n)) if (last[i] < T) Yobs[i, (last[i] + 1):T] <- NA
  Yobs[miss] <- NA
  out <- data.frame(USUBJID = rep(id, each = T),
                    ARM = rep(arm, each = T),
                    VISIT = rep(visits, times = n),
                    VISITN = rep(seq_len(T), times = n),
                    BASE = rep(round(base, 2), each = T),
                    CHG = round(as.vector(t(Yobs)), 4),
                    stringsAsFactors = FALSE)
  names(out)[2] <- arm_col
  out
}

## ---------------------------------------------------------------------------
## sim_three_arm: 3 arms (PLACEBO 60, LOW 40, HIGH 50), 8 visits,
## true unstructured covariance: SD rising 4 -> 7.5, correlation
## 0.35 + 0.65 * 0.75^|s - t| (decays with lag, not AR(1)).
set.seed(20240611)
T <- 8L
visits <- sprintf("V%d", seq_len(T))
arm_n <- c(PLACEBO = 60L, LOW = 40L, HIGH = 50L)
arm <- rep(names(arm_n), times = arm_n)
arm <- sample(arm)                       # randomised order of enrolment
n <- length(arm)
id <- sprintf("S3-%03d", seq_len(n))
base <- rnorm(n, mean = 24, sd = 3.5)
sds <- seq(4, 7.5, length.out = T)
R <- outer(seq_len(T), seq_len(T), function(s, t) 0.35 + 0.65 * 0.75^abs(s - t))
diag(R) <- 1
S <- diag(sds) %*% R %*% diag(sds)
tt <- seq_len(T)
mu_pbo <- -6 * (1 - exp(-tt / 3))                  # placebo response
eff <- list(PLACEBO = 0 * tt,
            LOW = -1.5 * (1 - exp(-tt / 3)),
            HIGH = -3.5 * (1 - exp(-tt / 3)))
slope <- -0.25 - 0.02 * tt                          # baseline effect by visit
M <- t(sapply(seq_len(n), function(i) mu_pbo + eff[[arm[i]]] + slope * (base[i] - 24)))
E <- rmvn(n, S)
Y <- M + E
last <- dropout_visit(sweep(E, 2, sds, "/"), a = -3.3, b = 0.5)
miss <- intermittent(last, T, p = 0.06)
d3 <- to_long(id, arm, base, Y, visits, last, miss)
write.csv(d3, file.path(here, "sim_three_arm.csv"), row.names = FALSE, na = "NA")
cat(sprintf("sim_three_arm: %d subjects, %d rows, %d observed; dropouts %.1f%%, intermittent missing %d values (%.1f%% of values before dropout)\n",
            n, nrow(d3), sum(!is.na(d3$CHG)), 100 * mean(last < T), sum(miss),
            100 * sum(miss) / sum(last)))

## ---------------------------------------------------------------------------
## sim_two_arm_6v: 2 arms (PLACEBO 60, ACTIVE 60), 6 visits, dropout;
## true covariance heterogeneous AR(1)-like: SD 5 -> 8, correlation 0.8^|s-t|.
set.seed(20240612)
T <- 6L
visits <- sprintf("WEEK%d", c(1, 2, 4, 6, 8, 12))
arm <- sample(rep(c("PLACEBO", "ACTIVE"), each = 60L))
n <- length(arm)
id <- sprintf("S2-%03d", seq_len(n))
base <- rnorm(n, mean = 50, sd = 8)
sds <- seq(5, 8, length.out = T)
R <- 0.8^abs(outer(seq_len(T), seq_len(T), "-"))
S <- diag(sds) %*% R %*% diag(sds)
tt <- seq_len(T)
M <- t(sapply(seq_len(n), function(i)
  -2 - 1.2 * tt + (arm[i] == "ACTIVE") * (-0.8 * tt) - 0.4 * (base[i] - 50)))
E <- rmvn(n, S)
Y <- M + E
last <- dropout_visit(sweep(E, 2, sds, "/"), a = -3.0, b = 0.6)
miss <- intermittent(last, T, p = 0.03)
d2 <- to_long(id, arm, base, Y, visits, last, miss)
write.csv(d2, file.path(here, "sim_two_arm_6v.csv"), row.names = FALSE, na = "NA")
cat(sprintf("sim_two_arm_6v: %d subjects, %d rows, %d observed; dropouts %.1f%%, intermittent missing %d values\n",
            n, nrow(d2), sum(!is.na(d2$CHG)), 100 * mean(last < T), sum(miss)))
