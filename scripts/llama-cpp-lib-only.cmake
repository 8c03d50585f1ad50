# CMake runs this right after llama.cpp's project() call inside llama-cpp-python's build, when
# scripts/install.sh passes -DCMAKE_PROJECT_llama.cpp_INCLUDE=<this file> in CMAKE_ARGS.
# llama-cpp-python's CMakeLists forces LLAMA_BUILD_COMMON on, but its Python code loads only libllama
# and libggml* (and libmtmd, which LLAVA_BUILD=OFF leaves out): llama.cpp's "common" library and the
# cpp-httplib it pulls in are built and shipped unused, about half of the compile. A normal variable
# hides the forced cache entry in llama.cpp's directory, and its option() then keeps it (CMP0077).
set(LLAMA_BUILD_COMMON OFF)
