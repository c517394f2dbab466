## Reference values for Bang's and James' blinding indices, written from the formulas in the papers
## (base R only; no package, nothing ported from the Python implementation).
##
## Run from the repository's top folder:  Rscript tests/reference/blinding/blinding.R
## The script
##   1. checks its own formulas against every example in published.json that has printed values
##      and counts (it stops with an error if a printed value is not reproduced to its printed
##      digits),
##   2. checks the closed-form James variance against a numerical delta-method variance,
##   3. writes blinding_r.csv (all numbers with 17 significant digits) and versions.txt next to
##      this script.
##
## Notation used throughout. For one two-arm trial, the guesses form a 3 x 2 table
##
##                      actual: active (j = 1)   actual: control (j = 2)
##   guess active (i=1)        n11                      n12
##   guess control (i=2)       n21                      n22
##   don't know   (i=3)        n31                      n32
##
## (rows = guess, columns = randomised arm).  N = sum of all cells, n_j = column total.
##
## ---------------------------------------------------------------------------------------------
## BANG'S BLINDING INDEX (Bang H, Ni L, Davis CE. Assessment of blinding in clinical trials.
## Controlled Clinical Trials 2004;25:143-156), one index per arm j.
##
##   2 x 3 version (guess active / guess control / don't know), arm j with n_j respondents:
##     correct guess in the active arm = "active";  correct guess in the control arm = "control".
##     p_c = n_correct / n_j,  p_i = n_incorrect / n_j,  p_dk = n_dk / n_j   (p_c + p_i + p_dk = 1)
##
##     BI_j = (2 * n_correct / (n_correct + n_incorrect) - 1) * (n_correct + n_incorrect) / n_j
##          = (n_correct - n_incorrect) / n_j = p_c - p_i                       [Bang 2004, 2x3 BI]
##
##     i.e. the proportion of correct guesses minus the proportion of incorrect guesses, with the
##     don't-know answers kept in the denominator.  Range -1..1; 0 = random guessing, 1 = all
##     correct (unblinded), -1 = all incorrect ("opposite guessing").
##     Sign convention for the control arm: "correct" means guessing CONTROL, so for the placebo
##     column BI = (n22 - n12) / n_2.  (Not (n12 - n22)/n_2.)
##
##     Large-sample variance (multinomial; Bang 2004, 2x3 case):
##       Var(BI_j) = [ p_c (1 - p_c) + p_i (1 - p_i) + 2 p_c p_i ] / n_j
##                 = [ (p_c + p_i) - (p_c - p_i)^2 ] / n_j  =  [ (1 - p_dk) - BI_j^2 ] / n_j
##     SE = sqrt(Var);  two-sided 95% Wald interval BI +/- z_{0.975} SE; Bang 2004 prefers the
##     one-sided intervals, whose limits are BI - z_{0.95} SE (lower) and BI + z_{0.95} SE (upper).
##
##   2 x 5 version (strongly believe active, somewhat believe active, somewhat believe control,
##   strongly believe control, don't know): a weighted sum of the category proportions,
##     BI_j = sum_k w_k n_k / n_j,
##     weights for the ACTIVE arm  (strong A, somewhat A, somewhat C, strong C, DK) = (1, .5, -.5, -1, 0)
##     weights for the CONTROL arm (strong A, somewhat A, somewhat C, strong C, DK) = (-1, -.5, .5, 1, 0)
##   (a strong correct guess counts 1, a weak correct guess 0.5, and the same with a minus sign for
##   incorrect guesses; don't know counts 0).  Its variance is the exact multinomial variance of a
##   weighted sum of cell proportions,
##     Var(BI_j) = [ sum_k w_k^2 p_k - (sum_k w_k p_k)^2 ] / n_j,
##   which reduces to the 2x3 formula above when the weights are (1, -1, 0).
##
## ---------------------------------------------------------------------------------------------
## JAMES' BLINDING INDEX (James KE, Bloch DA, Lee KK, Kraemer HC, Fuller RK. An index for assessing
## blindness in a multi-centre clinical trial: disulfiram for alcohol cessation - a VA cooperative
## study. Statistics in Medicine 1996;15:1421-1434), one overall index for the whole table.
##
##   p_ij = n_ij / N.  P_DK = p_31 + p_32 (overall proportion of don't know).
##   Among those who did guess (rows 1-2): row margins p_i. = p_i1 + p_i2 (i = 1, 2) and column
##   margins q_j = p_1j + p_2j = p_.j - p_3j (j = 1, 2).
##   Disagreement weights w_ij (i, j = 1, 2): 0 for a correct guess (w_11 = w_22 = 0) and a positive
##   weight for an incorrect guess (James: 0.5; don't know carries weight 1, which is what produces
##   the (1 + P_DK)/2 term below).  With two arms the index does not depend on the value of the
##   incorrect-guess weight (it cancels in the kappa ratio and in the variance), so 0.5 and 0.75
##   give identical results; the script checks this.
##
##   Weighted kappa of the non-DK responses (kappa-like form):
##     P_o|D = sum_ij w_ij p_ij / (1 - P_DK)                     (observed weighted disagreement)
##     P_e|D = sum_ij w_ij p_i. q_j / (1 - P_DK)^2               (disagreement expected by chance)
##     kappa_D = (P_o|D - P_e|D) / P_e|D
##   Index:
##     BI = [ 1 + P_DK + (1 - P_DK) kappa_D ] / 2
##   Range 0..1: 0 = all guesses correct (complete unblinding), 0.5 = guesses at chance level with no
##   don't know, 1 = everyone answers don't know (complete blinding).  Lack of blinding is concluded
##   when the upper limit of the two-sided 95% interval is below 0.5.
##
##   Large-sample variance (James 1996):
##     Var(BI) = (1/N) * {  sum_ij p_ij (1 - P_DK)^2 [ (1 - P_DK) w_ij - (1 + kappa_D) e_ij ]^2
##                           / [ 4 ( sum_ij w_ij p_i. q_j )^2 ]
##                        + P_DK (1 - P_DK)
##                        - (1 - P_DK)(1 + kappa_D) [ P_DK + (1 - P_DK)(1 + kappa_D) / 4 ] }
##     with e_ij = sum_r w_rj p_r. + sum_r w_ir q_r   (r = 1, 2), sums over i, j = 1, 2.
##   SE = sqrt(Var); two-sided 95% Wald interval BI +/- z_{0.975} SE.
##   Edge case: if nobody guessed (all answers don't know) BI = 1 with SE 0 by convention.
##
##   The paper's text was not available when this file was written; the variance above was
##   transcribed from the formula as restated in secondary sources (see README.md) and is verified
##   here, to ~1e-9 relative error, against the first-order delta-method variance of BI computed
##   numerically from the multinomial covariance (diag(p) - p p')/N of the six cells.
## ---------------------------------------------------------------------------------------------

here <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  if (length(f) == 1L) dirname(normalizePath(f)) else getwd()
})

Z2 <- qnorm(0.975)  # two-sided 95%
Z1 <- qnorm(0.95)   # one-sided 95%

## ---- Bang ---------------------------------------------------------------------------------------
bang3 <- function(n_correct, n_incorrect, n_dk) {
  n <- n_correct + n_incorrect + n_dk
  pc <- n_correct / n
  pi <- n_incorrect / n
  bi <- (2 * n_correct / (n_correct + n_incorrect) - 1) * (n_correct + n_incorrect) / n
  bi2 <- pc - pi
  stopifnot(abs(bi - bi2) < 1e-14)
  v <- (pc * (1 - pc) + pi * (1 - pi) + 2 * pc * pi) / n
  stopifnot(abs(v - ((1 - n_dk / n) - bi^2) / n) < 1e-14)
  c(n = n, bi = bi, se = sqrt(v))
}

bang_weighted <- function(counts, w) {
  n <- sum(counts)
  p <- counts / n
  bi <- sum(w * p)
  v <- (sum(w^2 * p) - bi^2) / n
  c(n = n, bi = bi, se = sqrt(v))
}
W5_ACTIVE <- c(1, 0.5, -0.5, -1, 0)
W5_CONTROL <- -W5_ACTIVE

## ---- James --------------------------------------------------------------------------------------
## x: 3 x 2 matrix, rows = guess (active, control, don't know), columns = arm (active, control)
james_parts <- function(x, winc = 0.5) {
  w <- matrix(c(0, winc, winc, 0), 2, 2)
  N <- sum(x)
  p <- x / N
  pdk <- sum(p[3, ])
  prow <- rowSums(p[1:2, , drop = FALSE])
  q <- colSums(p[1:2, , drop = FALSE])
  list(w = w, N = N, p = p, pdk = pdk, prow = prow, q = q)
}
james_bi <- function(x, winc = 0.5) {
  s <- james_parts(x, winc)
  if (s$pdk == 1) return(1)
  Po <- sum(s$w * s$p[1:2, ]) / (1 - s$pdk)
  Pe <- sum(s$w * outer(s$prow, s$q)) / (1 - s$pdk)^2
  kappa <- (Po - Pe) / Pe
  (1 + s$pdk + (1 - s$pdk) * kappa) / 2
}
james <- function(x, winc = 0.5) {
  s <- james_parts(x, winc)
  if (s$pdk == 1) return(c(n = s$N, bi = 1, se = 0))
  with(s, {
    Po <- sum(w * p[1:2, ]) / (1 - pdk)
    Pe <- sum(w * outer(prow, q)) / (1 - pdk)^2
    kappa <- (Po - Pe) / Pe
    bi <- (1 + pdk + (1 - pdk) * kappa) / 2
    a <- colSums(w * prow)       # a_j = sum_r w_rj p_r.
    b <- drop(w %*% q)           # b_i = sum_r w_ir q_r
    e <- outer(b, a, "+")        # e_ij = b_i + a_j
    term1 <- sum(p[1:2, ] * (1 - pdk)^2 * ((1 - pdk) * w - (1 + kappa) * e)^2) /
      (4 * sum(w * outer(prow, q))^2)
    term2 <- pdk * (1 - pdk) - (1 - pdk) * (1 + kappa) * (pdk + (1 - pdk) * (1 + kappa) / 4)
    c(n = N, bi = bi, se = sqrt((term1 + term2) / N))
  })
}
## numerical delta method: gradient of BI w.r.t. the six cell probabilities, Var = g' Sigma g / N
james_delta_se <- function(x) {
  N <- sum(x)
  p <- as.vector(x) / N
  f <- function(pp) james_bi(matrix(pp, 3, 2))
  h <- 1e-6
  g <- vapply(seq_along(p), function(k) {
    up <- p; dn <- p; up[k] <- up[k] + h; dn[k] <- dn[k] - h
    (f(up) - f(dn)) / (2 * h)
  }, numeric(1))
  sqrt(drop(t(g) %*% ((diag(p) - tcrossprod(p)) / N) %*% g))
}

## ---- tables -------------------------------------------------------------------------------------
## Every two-arm table: active-arm guesses c(active, control, don't know) and control-arm guesses
## c(active, control, don't know), i.e. the two columns of the 3 x 2 table.
tab3 <- function(active, control) {
  m <- cbind(active, control)
  dimnames(m) <- list(guess = c("active", "control", "dont_know"), arm = c("active", "control"))
  m
}
tables <- list(
  enblom2011 = list(
    arms = c("verum_acupuncture", "sham_acupuncture"),
    x = tab3(c(74, 6, 15), c(68, 11, 16))),
  extra_dmt = list(
    arms = c("DMT", "PLACEBO"),
    x = tab3(c(15, 1, 1), c(4, 11, 2))),
  extra_ab = list(
    arms = c("A", "B"),
    x = tab3(c(30, 20, 50), c(25, 35, 40))),
  crisp_bang2004_t7 = list(
    arms = c("active", "placebo"),
    x = tab3(c(82, 25, 170), c(27, 29, 83))),
  james1996_t5 = list(
    arms = c("active", "placebo"),
    x = tab3(c(145, 71, 76), c(34, 59, 38))),
  houweling2014_investigators = list(
    arms = c("active_stocking", "placebo_stocking"),
    x = tab3(c(48, 4, 330), c(22, 30, 319))),
  houweling2014_coordinators = list(
    arms = c("active_stocking", "placebo_stocking"),
    x = tab3(c(94, 11, 289), c(52, 44, 284))),
  houweling2014_patients = list(
    arms = c("active_stocking", "placebo_stocking"),
    x = tab3(c(143, 14, 188), c(104, 57, 175))),
  bang2010_t4 = list(
    arms = c("active", "placebo"),
    x = tab3(c(21, 0, 24), c(19, 4, 26))),
  bang2010_t5 = list(
    arms = c("active", "placebo"),
    x = tab3(c(41, 55, 130), c(14, 99, 106)))
)
## Single-arm (one needle type per "arm") tables of Nishiwaki et al. 2018, Table 1: 50 needles
## of each type; counts reconstructed from the printed % unidentified and the printed BI (see README).
## Role "active" = penetrating needle (correct guess = "penetrating"), role "control" = skin-touch
## placebo needle (correct guess = "placebo"); counts = c(guess active, guess control, don't know).
single_arm <- list(
  nishiwaki2018_patient_pen5mm        = list(role = "active",  counts = c(25, 19, 6)),
  nishiwaki2018_patient_pen10mm       = list(role = "active",  counts = c(37, 11, 2)),
  nishiwaki2018_patient_press1mm      = list(role = "control", counts = c(17, 32, 1)),
  nishiwaki2018_patient_press2mm      = list(role = "control", counts = c(26, 22, 2)),
  nishiwaki2018_practitioner_pen5mm   = list(role = "active",  counts = c(11, 10, 29)),
  nishiwaki2018_practitioner_pen10mm  = list(role = "active",  counts = c(18, 9, 23)),
  nishiwaki2018_practitioner_press1mm = list(role = "control", counts = c(20, 4, 26)),
  nishiwaki2018_practitioner_press2mm = list(role = "control", counts = c(14, 7, 29))
)
## correct / incorrect / don't know for one arm, given its role
cid <- function(counts, role) {
  if (role == "active") c(counts[1], counts[2], counts[3]) else c(counts[2], counts[1], counts[3])
}
## Bang 2004 Table 6 (CRISP, 2 x 5): strongly active, somewhat active, somewhat placebo,
## strongly placebo, don't know; collapses to Table 7 (38 + 44 = 82, 21 + 4 = 25, ...).
crisp5 <- list(active = c(38, 44, 21, 4, 170), placebo = c(11, 16, 21, 8, 83))
stopifnot(all(c(sum(crisp5$active[1:2]), sum(crisp5$active[3:4]), crisp5$active[5]) ==
                tables$crisp_bang2004_t7$x[, 1]),
          all(c(sum(crisp5$placebo[1:2]), sum(crisp5$placebo[3:4]), crisp5$placebo[5]) ==
                tables$crisp_bang2004_t7$x[, 2]))

bang_arm <- function(x, j) {  # arm j of a 3 x 2 table: correct = guess of the own arm
  bang3(n_correct = x[j, j], n_incorrect = x[3 - j, j], n_dk = x[3, j])
}

## ---- 1. published examples: reproduce to the printed digits --------------------------------------
check <- function(label, computed, printed, digits) {
  got <- round(computed, digits)
  ok <- isTRUE(all.equal(got, printed, tolerance = 0, scale = 1)) ||
    all(abs(got - printed) < 10^-(digits + 3))
  cat(sprintf("%-58s printed %-28s computed %-28s %s\n", label,
              paste(format(printed, nsmall = digits), collapse = " "),
              paste(formatC(computed, digits = 6, format = "f"), collapse = " "),
              if (ok) "OK" else "MISMATCH"))
  if (!ok) stop("published value not reproduced: ", label)
}
ci2 <- function(r) c(r[["bi"]], r[["bi"]] - Z2 * r[["se"]], r[["bi"]] + Z2 * r[["se"]])

cat("== Published examples ==\n")
## Enblom et al. 2011, Table 2: 0.72 (0.60-0.83) verum; -0.60 (-0.74 to -0.46) sham
x <- tables$enblom2011$x
check("Enblom 2011 verum  Bang BI (95% CI)", ci2(bang_arm(x, 1)), c(0.72, 0.60, 0.83), 2)
check("Enblom 2011 sham   Bang BI (95% CI)", ci2(bang_arm(x, 2)), c(-0.60, -0.74, -0.46), 2)
## Nishiwaki et al. 2018, Table 1 (patient and practitioner blinding, 95% CI)
printed_nishiwaki <- list(
  nishiwaki2018_patient_pen5mm   = c(0.12, -0.14, 0.38),
  nishiwaki2018_patient_pen10mm  = c(0.52, 0.29, 0.75),
  nishiwaki2018_patient_press1mm = c(0.30, 0.04, 0.56),
  nishiwaki2018_patient_press2mm = c(-0.08, -0.35, 0.19),
  nishiwaki2018_practitioner_pen5mm   = c(0.02, -0.16, 0.20),
  nishiwaki2018_practitioner_pen10mm  = c(0.18, -0.02, 0.38),
  nishiwaki2018_practitioner_press1mm = c(-0.32, -0.49, -0.15),
  nishiwaki2018_practitioner_press2mm = c(-0.14, -0.32, 0.04)
)
for (id in names(single_arm)) {
  k <- cid(single_arm[[id]]$counts, single_arm[[id]]$role)
  check(paste(id, "Bang BI (95% CI)"), ci2(bang3(k[1], k[2], k[3])), printed_nishiwaki[[id]], 2)
}
## Software cross-check (not a publication): BlindingIndex.jl README output for the Houweling 2014
## investigators table, printed to 3 decimals.
x <- tables$houweling2014_investigators$x
j <- james(x)
check("[software] BlindingIndex.jl James BI, SE, LCL, UCL",
      c(j[["bi"]], j[["se"]], ci2(j)[2:3]), c(0.896, 0.011, 0.875, 0.918), 3)
b1 <- bang_arm(x, 1); b2 <- bang_arm(x, 2)
check("[software] BlindingIndex.jl Bang active BI, SE, LCL, UCL",
      c(b1[["bi"]], b1[["se"]], ci2(b1)[2:3]), c(0.115, 0.018, 0.080, 0.150), 3)
check("[software] BlindingIndex.jl Bang placebo BI, SE, LCL, UCL",
      c(b2[["bi"]], b2[["se"]], ci2(b2)[2:3]), c(0.022, 0.019, -0.016, 0.060), 3)

## ---- 2. internal checks ------------------------------------------------------------------------
cat("\n== James variance: closed form vs numerical delta method; weight invariance ==\n")
for (id in names(tables)) {
  x <- tables[[id]]$x
  a <- james(x)
  d <- james_delta_se(x)
  b <- james(x, winc = 0.75)
  cat(sprintf("%-32s BI %.10f  SE closed %.10f  SE delta %.10f  (w=0.75: BI %.10f SE %.10f)\n",
              id, a[["bi"]], a[["se"]], d, b[["bi"]], b[["se"]]))
  stopifnot(abs(a[["se"]] - d) < 1e-7 * max(1, a[["se"]]),
            abs(a[["bi"]] - b[["bi"]]) < 1e-12, abs(a[["se"]] - b[["se"]]) < 1e-12)
}
## 2 x 5 weights (1, -1, 0) must give the 2 x 3 index
stopifnot(abs(bang_weighted(c(82, 25, 170), c(1, -1, 0))[["se"]] - bang3(82, 25, 170)[["se"]]) < 1e-14)
## edge case: everybody answers don't know
stopifnot(identical(unname(james(tab3(c(0, 0, 5), c(0, 0, 7)))[["bi"]]), 1))

## ---- 3. reference CSV ---------------------------------------------------------------------------
fmt <- function(v) sprintf("%.17g", v)
row <- function(table, index, arm, role, counts, r, corr = NA, inc = NA, dk = NA) {
  bi <- r[["bi"]]; se <- r[["se"]]
  data.frame(
    table = table, index = index, arm = arm, arm_role = role, counts = counts,
    n = r[["n"]], n_correct = corr, n_incorrect = inc, n_dont_know = dk,
    estimate = fmt(bi), se = fmt(se), z975 = fmt(Z2),
    lower95 = fmt(bi - Z2 * se), upper95 = fmt(bi + Z2 * se),
    lower95_one_sided = fmt(bi - Z1 * se), upper95_one_sided = fmt(bi + Z1 * se),
    stringsAsFactors = FALSE)
}
cnt <- function(x) paste(x, collapse = "|")
rows <- list()
for (id in names(tables)) {
  x <- tables[[id]]$x
  arms <- tables[[id]]$arms
  for (j in 1:2) {
    rows[[length(rows) + 1L]] <- row(id, "bang", arms[j], c("active", "control")[j],
      cnt(x[, j]), bang_arm(x, j), x[j, j], x[3 - j, j], x[3, j])
  }
  rows[[length(rows) + 1L]] <- row(id, "james", "overall", "overall",
    paste0(cnt(x[, 1]), ";", cnt(x[, 2])), james(x), NA, NA, sum(x[3, ]))
}
for (id in names(single_arm)) {
  role <- single_arm[[id]]$role
  k <- cid(single_arm[[id]]$counts, role)
  rows[[length(rows) + 1L]] <- row(id, "bang", sub("^nishiwaki2018_", "", id), role,
    cnt(single_arm[[id]]$counts), bang3(k[1], k[2], k[3]), k[1], k[2], k[3])
}
rows[[length(rows) + 1L]] <- row("crisp_bang2004_t6", "bang_2x5", "active", "active",
  cnt(crisp5$active), bang_weighted(crisp5$active, W5_ACTIVE), NA, NA, crisp5$active[5])
rows[[length(rows) + 1L]] <- row("crisp_bang2004_t6", "bang_2x5", "placebo", "control",
  cnt(crisp5$placebo), bang_weighted(crisp5$placebo, W5_CONTROL), NA, NA, crisp5$placebo[5])
out <- do.call(rbind, rows)
out$lack_of_blinding_james <- ifelse(out$index == "james",
  ifelse(as.numeric(out$upper95) < 0.5, "yes", "no"), "")
write.csv(out, file.path(here, "blinding_r.csv"), row.names = FALSE, quote = TRUE)
writeLines(c(R.version.string, paste("platform:", R.version$platform),
             "packages: base R only (stats, utils)"),
           file.path(here, "versions.txt"))
cat("\nwrote", nrow(out), "rows to", file.path(here, "blinding_r.csv"), "\n")
cat(R.version.string, "\n")
