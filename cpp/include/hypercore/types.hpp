// Matrix aliases shared by the core. Point sets are row-major (n, d), matching C-contiguous numpy arrays.
#pragma once

#include <Eigen/Core>

namespace hypercore {

using Vector = Eigen::VectorXd;
using Matrix = Eigen::MatrixXd;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixRef = Eigen::Ref<RowMatrix>;
using ConstRowMatrixRef = Eigen::Ref<const RowMatrix>;
using VectorRef = Eigen::Ref<Vector>;
using ConstVectorRef = Eigen::Ref<const Vector>;

}  // namespace hypercore
