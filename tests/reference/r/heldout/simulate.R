## Held-out simulated datasets (base R only). Run from this folder: Rscript simulate.R
set.seed(777001)
OUT <- "."
## ---- Dataset A: 3 arms, 8 visits, 156 subjects ----
nA <- 156; Tn <- 8
arm <- sample(rep(c("PLACEBO", "LOW", "HIGH"), c(54, 50, 52)))
base <- round(rnorm(nA, 30, 4), 2)
tt <- 1:Tn
sds <- seq(3.5, 8, length.out = Tn)
R <- outer(tt, tt, function(s, t) 0.25 + 0.7 * 0.7^abs(s - t)); diag(R) <- 1
S <- diag(sds) %*% R %*% diag(sds)
eff <- c(PLACEBO = 0, LOW = -1.2, HIGH = -3)
ch <- chol(S)
rows <- list()
for (i in seq_len(nA)) {
  mu <- -5 * (1 - exp(-tt / 3)) + eff[arm[i]] * (1 - exp(-tt / 2.5)) - 0.3 * (base[i] - 30)
  e <- as.vector(rnorm(Tn) %*% ch)
  y <- mu + e
  ## monotone MAR dropout depending on previous residual
  obs <- rep(TRUE, Tn)
  for (k in 2:Tn) {
    p <- plogis(-3.6 + 0.5 * (e[k - 1] / sds[k - 1]) + 0.08 * k)
    if (runif(1) < p) { obs[k:Tn] <- FALSE; break }
  }
  ## intermittent gaps (not at visit 1, not at last attended visit)
  last <- max(which(obs))
  if (last > 2) for (k in 2:(last - 1)) if (runif(1) < 0.06) obs[k] <- FALSE
  y[!obs] <- NA
  rows[[i]] <- data.frame(USUBJID = sprintf("S%03d", i), ARM = arm[i],
                          VISIT = paste0("V", tt), VISITN = tt, BASE = base[i],
                          CHG = round(y, 4),
                          WT = round(runif(Tn, 0.5, 2), 3))
}
A <- do.call(rbind, rows)
write.csv(A, file.path(OUT, "heldout_A.csv"), row.names = FALSE, na = "")
cat("A: rows", nrow(A), "observed", sum(!is.na(A$CHG)), "\n")
print(table(A$VISIT[!is.na(A$CHG)]))

## ---- Dataset D: unbalanced, a rare visit, 3-level REGION ----
set.seed(777002)
nD <- 130; vis <- c("W1", "W2", "W4", "W6", "W8", "W12")
arm <- sample(rep(c("PLACEBO", "ACTIVE"), c(65, 65)))
region <- sample(c("EU", "AMER", "ASIA"), nD, replace = TRUE, prob = c(.45, .35, .2))
base <- round(rnorm(nD, 50, 8), 2)
tn <- c(1, 2, 4, 6, 8, 12)
sds <- c(4, 4.5, 5, 5.5, 6.5, 7)
R <- matrix(0.55, 6, 6); diag(R) <- 1
ch <- chol(diag(sds) %*% R %*% diag(sds))
reff <- c(EU = 0, AMER = 1.5, ASIA = -2)
rare <- sample(nD, 15)
rows <- list()
for (i in seq_len(nD)) {
  mu <- 2 + 0.4 * tn * (arm[i] == "ACTIVE") + 0.1 * tn + reff[region[i]] + 0.2 * (base[i] - 50)
  y <- mu + as.vector(rnorm(6) %*% ch)
  obs <- runif(6) > c(0, .05, .08, .12, .15, .2)
  obs[1] <- TRUE
  obs[3] <- i %in% rare           # W4 observed only for 15 subjects
  y[!obs] <- NA
  rows[[i]] <- data.frame(USUBJID = sprintf("P%03d", i), ARM = arm[i], REGION = region[i],
                          VISIT = vis, VISITN = tn, BASE = base[i], CHG = round(y, 4))
}
D <- do.call(rbind, rows)
write.csv(D, file.path(OUT, "heldout_D.csv"), row.names = FALSE, na = "")
cat("D: rows", nrow(D), "observed", sum(!is.na(D$CHG)), "\n")
print(table(D$VISIT[!is.na(D$CHG)]))
print(table(D$REGION[!duplicated(D$USUBJID)]))
