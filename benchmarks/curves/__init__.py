"""Learning-curve benchmarks: the curve sets, the accuracy of the predictors and early stopping (issues 4, 15)."""
