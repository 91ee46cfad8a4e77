// Everything a user of mpimr needs, in one include.
#pragma once

#include "mpimr/atomic_file.hpp"
#include "mpimr/chunk_rng.hpp"
#include "mpimr/concepts.hpp"
#include "mpimr/context.hpp"
#include "mpimr/environment.hpp"
#include "mpimr/errors.hpp"
#include "mpimr/for_each.hpp"
#include "mpimr/index_range.hpp"
#include "mpimr/joins.hpp"
#include "mpimr/map.hpp"
#include "mpimr/map_reduce_by_key.hpp"
#include "mpimr/options.hpp"
#include "mpimr/partition.hpp"
#include "mpimr/reduce.hpp"
#include "mpimr/text_input.hpp"
#include "mpimr/transform_reduce.hpp"
