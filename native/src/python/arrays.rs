//! Turning Python arguments into sample slices, with clear errors.

use numpy::ndarray::{ArrayD, IxDyn};
use numpy::{PyArrayDyn, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes};

/// Samples taken from a Python object: the flat data (C order) and the shape.
pub struct Samples<T> {
    pub data: Vec<T>,
    pub shape: Vec<usize>,
}

fn dtype_name(obj: &Bound<'_, PyAny>) -> String {
    obj.getattr("dtype")
        .and_then(|d| d.str().map(|s| s.to_string()))
        .unwrap_or_else(|_| obj.get_type().name().map(|n| n.to_string()).unwrap_or_default())
}

/// An int16 numpy array of any shape and strides.
pub fn int16_array(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Samples<i16>> {
    let arr: PyReadonlyArrayDyn<'_, i16> = obj.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a numpy int16 array, got {}",
            dtype_name(obj)
        ))
    })?;
    let shape = arr.shape().to_vec();
    let data = match arr.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => arr.as_array().iter().copied().collect(),
    };
    Ok(Samples { data, shape })
}

/// A one-dimensional int16 array.
pub fn int16_vector(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<i16>> {
    let s = int16_array(obj, what)?;
    if s.shape.len() != 1 {
        return Err(PyValueError::new_err(format!(
            "{what} must be one-dimensional, got shape {:?}",
            s.shape
        )));
    }
    Ok(s.data)
}

/// A two-dimensional int16 array (channels x samples) for the batch forms.
pub fn int16_matrix(obj: &Bound<'_, PyAny>, what: &str, channels: usize) -> PyResult<Samples<i16>> {
    let s = int16_array(obj, what)?;
    if s.shape.len() != 2 || s.shape[0] != channels {
        return Err(PyValueError::new_err(format!(
            "{what} must have shape ({channels}, samples), got {:?}",
            s.shape
        )));
    }
    Ok(s)
}

/// G.711 octets: a uint8 numpy array of any shape, bytes or bytearray.
pub fn octets(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Samples<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        let data = b.as_bytes().to_vec();
        return Ok(Samples { shape: vec![data.len()], data });
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        let data = b.to_vec();
        return Ok(Samples { shape: vec![data.len()], data });
    }
    let arr: PyReadonlyArrayDyn<'_, u8> = obj.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be bytes or a numpy uint8 array, got {}",
            dtype_name(obj)
        ))
    })?;
    let shape = arr.shape().to_vec();
    let data = match arr.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => arr.as_array().iter().copied().collect(),
    };
    Ok(Samples { data, shape })
}

/// A numpy array of `shape` holding `data` (C order).
pub fn to_numpy<'py, T: numpy::Element>(
    py: Python<'py>,
    data: Vec<T>,
    shape: &[usize],
) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    let arr = ArrayD::from_shape_vec(IxDyn(shape), data)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyArrayDyn::from_owned_array(py, arr))
}
